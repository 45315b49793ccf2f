// SPDX-License-Identifier: GPL-2.0
/* gapc@2: open of bpflp-gap* fails with EACCES, through the companion module (vfs_open). */
#include "reliability/gap.bpf.h"

BPFLP_PATCH("gapc", 2);
GAP_DENY_VFS_OPEN(EACCES)
