// SPDX-License-Identifier: GPL-2.0
/* t-v@1: open and unlink of the test files fail with EPERM. */
#include "core.bpf.h"

BPFLP_PATCH("t-v", 1);
T_DENY_OPEN(EPERM)
T_DENY_UNLINK(EPERM)
