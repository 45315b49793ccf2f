// SPDX-License-Identifier: GPL-2.0
/* t-d@1: open fails with EPERM. t-d@1.other.bpf.c is t-d@1 too, with other code. */
#include "core.bpf.h"

BPFLP_PATCH("t-d", 1);
T_DENY_OPEN(EPERM)
