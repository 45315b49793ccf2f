// SPDX-License-Identifier: GPL-2.0
/* t-st@9: declares no system state: a cumulative replace of t-st must be refused. */
#include "core.bpf.h"

BPFLP_PATCH("t-st", 9);
T_DENY_MKDIR(EACCES)
