// SPDX-License-Identifier: GPL-2.0
/* t-sh@2: keeps t-sh@1's counts (same layout of "rl"), raises the limit to 5, EACCES. */
#include "shadow_rl.bpf.h"

BPFLP_PATCH("t-sh", 2);
SH_RATE_LIMIT(5, EACCES)
