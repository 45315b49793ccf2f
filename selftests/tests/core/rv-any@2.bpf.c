// SPDX-License-Identifier: GPL-2.0
/* Return-value test patch rv-any@2: BPFLP_REPLACE's convention, 0 runs the original (rv.bpf.h). */
#include "rv.bpf.h"

BPFLP_PATCH("rv-any", 2);
RV_CONV_TRUNCATE
RV_CONV_PRCTL
RV_CONV_ATIME
