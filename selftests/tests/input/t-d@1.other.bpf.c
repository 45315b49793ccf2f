// SPDX-License-Identifier: GPL-2.0
/* Also t-d@1, but open fails with EACCES: same name and version, different code. */
#include "core.bpf.h"

BPFLP_PATCH("t-d", 1);
T_DENY_OPEN(EACCES)
