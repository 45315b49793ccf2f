// SPDX-License-Identifier: GPL-2.0
/* gap@2: open of bpflp-gap* fails with EACCES (cumulative replacement of gap@1). */
#include "gap.bpf.h"

BPFLP_PATCH("gap", 2);
GAP_DENY_OPEN(EACCES)
