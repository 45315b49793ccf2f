// SPDX-License-Identifier: GPL-2.0
/* replace-bad-proto: refused before anything is loaded (see corpus.sh). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("replace-bad-proto", 1);

BPFLP_REPLACE(vfs_truncate, struct file *file, loff_t length)
{
	return -1;
}
