// SPDX-License-Identifier: GPL-2.0
/* gap@1: open of bpflp-gap* fails with EPERM. */
#include "gap.bpf.h"

BPFLP_PATCH("gap", 1);
GAP_DENY_OPEN(EPERM)
