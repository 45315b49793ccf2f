// SPDX-License-Identifier: GPL-2.0
/* t-s@1: stacked over t-a@1 on the same function: open of bpflp-t-a* fails with EACCES. */
#include "core.bpf.h"

BPFLP_PATCH("t-s", 1);
T_DENY_OPEN(EACCES)
