/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building blocks of the companion-route tests (selftests/tests/companion/):
 * BPFLP_REPLACE on functions fmod_ret cannot reach on the test kernel,
 * each denying only files whose name starts with "bpflp-c-<tag>", so the VM
 * keeps working while a patch is active (vfs_statfs would not do: statfs()
 * runs a copy inlined into user_statfs, so the traceable one is not called):
 *
 *   C_STATFS(errno)    shmem_statfs        statfs()   on "bpflp-c-s*" in a tmpfs
 *   C_TRUNCATE(errno)  vfs_truncate        truncate() on "bpflp-c-t*"
 *   C_OPEN(errno)      security_file_open  open()     on "bpflp-c-o*" (fmod_ret route)
 */
#ifndef BPFLP_T_COMPANION_BPF_H
#define BPFLP_T_COMPANION_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpflp/patch.bpf.h>
#include "tag.bpf.h"

static __always_inline char c_dentry_tag(struct dentry *dentry)
{
	return dentry_tag(dentry, "bpflp-c-");
}

#define C_STATFS(err)                                                                              \
	BPFLP_REPLACE(shmem_statfs, struct dentry *dentry, struct kstatfs *buf)                    \
	{                                                                                          \
		return c_dentry_tag(dentry) == 's' ? -(err) : 0;                                   \
	}

#define C_TRUNCATE(err)                                                                            \
	BPFLP_REPLACE(vfs_truncate, const struct path *path, loff_t length)                        \
	{                                                                                          \
		return c_dentry_tag(BPF_CORE_READ(path, dentry)) == 't' ? -(err) : 0;              \
	}

#define C_OPEN(err)                                                                                \
	BPFLP_REPLACE(security_file_open, struct file *file)                                       \
	{                                                                                          \
		return c_dentry_tag(BPF_CORE_READ(file, f_path.dentry)) == 'o' ? -(err) : 0;       \
	}

#endif /* BPFLP_T_COMPANION_BPF_H */
