// SPDX-License-Identifier: GPL-2.0
/* replace-extra-arg: refused before anything is loaded (see corpus.sh). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("replace-extra-arg", 1);

BPFLP_REPLACE(vfs_truncate, const struct path *path, loff_t length, int extra)
{
	return -1;
}
