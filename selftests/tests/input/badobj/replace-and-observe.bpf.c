// SPDX-License-Identifier: GPL-2.0
/* replace-and-observe: a companion-route function cannot carry other programs of the patch. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("replace-and-observe", 1);

BPFLP_REPLACE(vfs_truncate, const struct path *path, loff_t length)
{
	return -1;
}

BPFLP_FENTRY(vfs_truncate, const struct path *path, loff_t length)
{
	return 0;
}
