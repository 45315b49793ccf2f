// SPDX-License-Identifier: GPL-2.0
/* gap-obs@2: observes opens of bpflp-gap* (fentry and fexit), nothing else. */
#include "gap.bpf.h"

BPFLP_PATCH("gap-obs", 2);
GAP_OBSERVE_OPEN(2)
