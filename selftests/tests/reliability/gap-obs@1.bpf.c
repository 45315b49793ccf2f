// SPDX-License-Identifier: GPL-2.0
/* gap-obs@1: observes opens of bpflp-gap* (fentry and fexit), nothing else. */
#include "gap.bpf.h"

BPFLP_PATCH("gap-obs", 1);
GAP_OBSERVE_OPEN(1)
