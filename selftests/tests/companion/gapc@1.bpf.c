// SPDX-License-Identifier: GPL-2.0
/* gapc@1: open of bpflp-gap* fails with EPERM, through the companion module (vfs_open). */
#include "reliability/gap.bpf.h"

BPFLP_PATCH("gapc", 1);
GAP_DENY_VFS_OPEN(EPERM)
