// SPDX-License-Identifier: GPL-2.0
/*
 * Observes __vfs_setxattr, which takes 7 argument registers on 6.1 and on
 * 6.12: more than 6.1's BPF trampolines take, within 6.12's 12.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("many-args", 1);

BPFLP_FENTRY(__vfs_setxattr, void *idmap, void *dentry, void *inode, const char *name,
	     const void *value, __u64 size, int flags)
{
	return 0;
}
