// SPDX-License-Identifier: GPL-2.0
/* t-b@1 (stacked in 21_core_replace_stack): unlink of bpflp-t-b* fails with EPERM. */
#include "core.bpf.h"

BPFLP_PATCH("t-b", 1);
T_DENY_UNLINK(EPERM)
