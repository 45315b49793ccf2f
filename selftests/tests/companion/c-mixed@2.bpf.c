// SPDX-License-Identifier: GPL-2.0
/* Companion-route test patch c-mixed@2 (see companion.bpf.h). */
#include "companion.bpf.h"

BPFLP_PATCH("c-mixed", 2);
C_OPEN(13)
C_TRUNCATE(122)
