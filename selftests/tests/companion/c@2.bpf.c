// SPDX-License-Identifier: GPL-2.0
/* Companion-route test patch c@2 (see companion.bpf.h). */
#include "companion.bpf.h"

BPFLP_PATCH("c", 2);
C_TRUNCATE(30)
