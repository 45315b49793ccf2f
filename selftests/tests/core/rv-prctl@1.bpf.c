// SPDX-License-Identifier: GPL-2.0
/*
 * Return-value test patch rv-prctl@1: BPFLP_REPLACE_ANY on an LSM hook,
 * which fmod_ret reaches but cannot make return 0 by skipping: it needs
 * the companion module, and is refused where the module is unusable.
 */
#include "rv.bpf.h"

BPFLP_PATCH("rv-prctl", 1);
RV_ANY_PRCTL
