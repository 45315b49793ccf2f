// SPDX-License-Identifier: GPL-2.0
/* Companion-route test patch c-mixed@1 (see companion.bpf.h). */
#include "companion.bpf.h"

BPFLP_PATCH("c-mixed", 1);
C_OPEN(1)
C_STATFS(38)
