// SPDX-License-Identifier: GPL-2.0
/*
 * Replaces a function of the 9p module (which has BTF of its own): only
 * fmod_ret could, and it reaches security_* hooks only; the companion
 * module replaces functions of vmlinux alone.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("module-func", 1);

BPFLP_REPLACE(v9fs_statfs, struct dentry *dentry, struct kstatfs *buf)
{
	return -38;
}
