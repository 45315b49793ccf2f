// SPDX-License-Identifier: GPL-2.0
/* Companion-route test patch c@1 (see companion.bpf.h). */
#include "companion.bpf.h"

BPFLP_PATCH("c", 1);
C_STATFS(38)
C_TRUNCATE(122)
