// SPDX-License-Identifier: GPL-2.0
/* t-a@1: open of bpflp-t-a* fails with EPERM. */
#include "core.bpf.h"

BPFLP_PATCH("t-a", 1);
T_DENY_OPEN(EPERM)
