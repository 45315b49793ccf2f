// SPDX-License-Identifier: GPL-2.0
/*
 * gap-sb@1, stacked over gap@1 in 30_fault_injection: mkdir and unlink of
 * bpflp-gsb* fail with EACCES. Two functions, so a fault between the two
 * attaches leaves a half-staged patch to roll back.
 */
#include "gap.bpf.h"

BPFLP_PATCH("gap-sb", 1);
GAP_DENY_MKDIR(EACCES)
GAP_DENY_UNLINK(EACCES)
