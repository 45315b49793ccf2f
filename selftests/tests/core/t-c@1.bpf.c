// SPDX-License-Identifier: GPL-2.0
/* t-c@1 (stacked in 21_core_replace_stack): mkdir of bpflp-t-c* fails with EPERM. */
#include "core.bpf.h"

BPFLP_PATCH("t-c", 1);
T_DENY_MKDIR(EPERM)
