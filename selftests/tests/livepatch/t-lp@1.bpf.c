// SPDX-License-Identifier: GPL-2.0
/* t-lp@1: t-v@1's BPF fix, carrying the example livepatch v1 by name. */
#include "core.bpf.h"

BPFLP_PATCH("t-lp", 1);
BPFLP_LIVEPATCH("bpflp_klp_v1");
T_DENY_OPEN(EPERM)
T_DENY_UNLINK(EPERM)
