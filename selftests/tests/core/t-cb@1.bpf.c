// SPDX-License-Identifier: GPL-2.0
/* t-cb@1: logs its callbacks as 11..14; open fails with EPERM. */
#include "core.bpf.h"

BPFLP_PATCH("t-cb", 1);
T_DENY_OPEN(EPERM)
T_CALLBACKS(1, 0)
