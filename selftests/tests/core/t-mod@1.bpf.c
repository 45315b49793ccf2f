// SPDX-License-Identifier: GPL-2.0
/* Observes a function of a module (9p, which the test VM's root is mounted with). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("t-mod", 1);

BPFLP_FENTRY(v9fs_statfs, struct dentry *dentry, struct kstatfs *buf)
{
	return 0;
}
