// SPDX-License-Identifier: GPL-2.0
/* The longest name (32 characters) and the highest version: unlink fails with EPERM. */
#include "core.bpf.h"

BPFLP_PATCH("t-long-name-for-column-widths-32", 4294967295U);
T_DENY_UNLINK(EPERM)
