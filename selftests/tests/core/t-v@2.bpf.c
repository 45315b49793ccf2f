// SPDX-License-Identifier: GPL-2.0
/* t-v@2: open fails with EACCES; unlink reverted to the original. */
#include "core.bpf.h"

BPFLP_PATCH("t-v", 2);
T_DENY_OPEN(EACCES)
