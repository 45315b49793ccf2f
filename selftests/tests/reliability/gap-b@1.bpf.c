// SPDX-License-Identifier: GPL-2.0
/*
 * gap-b@1: open of bpflp-gap* fails with EACCES, like gap@2 but under
 * another name, so it can be stacked over gap@1 when the zero-gap test
 * rotates a hotfix (stack the new one, disable the old one).
 */
#include "gap.bpf.h"

BPFLP_PATCH("gap-b", 1);
GAP_DENY_OPEN(EACCES)
