// SPDX-License-Identifier: GPL-2.0
/* cut-obs@1: observes the sleeps of one process (fentry and fexit), nothing else. */
#include "cut.bpf.h"

BPFLP_PATCH("cut-obs", 1);
CUT_OBSERVE_SLEEP(1)
