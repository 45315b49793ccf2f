// SPDX-License-Identifier: GPL-2.0
/* t-fail@1: pre_patch logs 31 and returns -ENODEV, so applying it must change nothing. */
#include "core.bpf.h"

BPFLP_PATCH("t-fail", 1);
T_DENY_OPEN(EROFS)
T_CALLBACKS(3, -ENODEV)
