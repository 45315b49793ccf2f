// SPDX-License-Identifier: GPL-2.0
/* t-st@2: declares system state 7 at version 2 (state_cb.bpf.h). */
#include "state_cb.bpf.h"

T_STATE_PATCH("t-st", 2, 2)
