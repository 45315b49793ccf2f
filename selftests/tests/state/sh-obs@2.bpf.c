// SPDX-License-Identifier: GPL-2.0
/* sh-obs@2: counts opens of bpflp-gap* per task in the shadow "calls" (sh_obs.bpf.h). */
#include "sh_obs.bpf.h"

SH_OBSERVE_OPEN(2)
