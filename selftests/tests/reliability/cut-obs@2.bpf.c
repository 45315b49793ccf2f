// SPDX-License-Identifier: GPL-2.0
/* cut-obs@2: observes the sleeps of one process (fentry and fexit), nothing else. */
#include "cut.bpf.h"

BPFLP_PATCH("cut-obs", 2);
CUT_OBSERVE_SLEEP(2)
