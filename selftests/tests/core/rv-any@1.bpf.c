// SPDX-License-Identifier: GPL-2.0
/* Return-value test patch rv-any@1: BPFLP_REPLACE_ANY returning 0 (see rv.bpf.h). */
#include "rv.bpf.h"

BPFLP_PATCH("rv-any", 1);
RV_ANY_TRUNCATE
RV_ANY_PRCTL
RV_ANY_ATIME
