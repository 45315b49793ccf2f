// SPDX-License-Identifier: GPL-2.0
/* t-r@1: cumulative replacement of t-a, t-b and t-c: open and unlink fail with EACCES, mkdir reverted. */
#include "core.bpf.h"

BPFLP_PATCH("t-r", 1);
T_DENY_OPEN(EACCES)
T_DENY_UNLINK(EACCES)
