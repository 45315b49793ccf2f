// SPDX-License-Identifier: GPL-2.0
/* t-st@1: declares system state 7 at version 1 (state_cb.bpf.h). */
#include "state_cb.bpf.h"

T_STATE_PATCH("t-st", 1, 1)
