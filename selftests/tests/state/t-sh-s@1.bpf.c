// SPDX-License-Identifier: GPL-2.0
/* t-sh-s@1: stacked over t-sh, shares its shadow "rl" (same layout); limit 100, EACCES. */
#include "shadow_rl.bpf.h"

BPFLP_PATCH("t-sh-s", 1);
SH_RATE_LIMIT(100, EACCES)
