// SPDX-License-Identifier: GPL-2.0
/* t-cb@2: logs its callbacks as 21..24; open fails with EACCES. */
#include "core.bpf.h"

BPFLP_PATCH("t-cb", 2);
T_DENY_OPEN(EACCES)
T_CALLBACKS(2, 0)
