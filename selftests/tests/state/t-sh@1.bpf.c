// SPDX-License-Identifier: GPL-2.0
/* t-sh@1: per-task rate limit in shadow "rl": the 4th open of bpflp-t-s* on is EPERM. */
#include "shadow_rl.bpf.h"

BPFLP_PATCH("t-sh", 1);
SH_RATE_LIMIT(3, EPERM)
