/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building blocks of the reliability tests' patch objects
 * (selftests/tests/reliability/, and the zero-gap tests of companion/ and state/). Every hook denies only files whose dentry name
 * starts with a test prefix, so the VM keeps working while a patch is
 * active, and each patch denies with its own errno, so a syscall's outcome
 * says which patch served it:
 *
 *   GAP_DENY_OPEN(errno)    security_file_open     on "bpflp-gap*"
 *   GAP_DENY_MKDIR(errno)   security_inode_mkdir   on "bpflp-gsb*"
 *   GAP_DENY_UNLINK(errno)  security_inode_unlink  on "bpflp-gsb*"
 *   GAP_DENY_VFS_OPEN(errno) vfs_open (companion module route) on "bpflp-gap*"
 *
 * The prefixes differ so that creating the unlink target (an open) is not
 * itself denied by an open patch.
 */
#ifndef BPFLP_GAP_BPF_H
#define BPFLP_GAP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpflp/patch.bpf.h>

#define EPERM  1
#define EACCES 13

#define GAP_PREFIX_LEN 9 /* strlen("bpflp-gap"), strlen("bpflp-gsb") */

/* Does dentry's name start with prefix (GAP_PREFIX_LEN characters)? */
static __always_inline bool gap_target(struct dentry *dentry, const char *prefix)
{
	char buf[GAP_PREFIX_LEN + 1] = {};
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);

	/* A shorter name reads fewer bytes; its NUL then fails the compare. */
	if (bpf_probe_read_kernel_str(buf, sizeof(buf), name) < 0)
		return false;
#pragma unroll
	for (int i = 0; i < GAP_PREFIX_LEN; i++)
		if (buf[i] != prefix[i])
			return false;
	return true;
}

#define GAP_DENY_OPEN(err)                                                                         \
	BPFLP_FMOD_RET(security_file_open, struct file *file)                                      \
	{                                                                                          \
		return gap_target(BPF_CORE_READ(file, f_path.dentry), "bpflp-gap") ? -(err) : 0;   \
	}

/* The same denial of open() as GAP_DENY_OPEN, from a function fmod_ret cannot reach. */
#define GAP_DENY_VFS_OPEN(err)                                                                     \
	BPFLP_REPLACE(vfs_open, const struct path *path, struct file *file)                        \
	{                                                                                          \
		return gap_target(path->dentry, "bpflp-gap") ? -(err) : 0;                         \
	}

#define GAP_DENY_MKDIR(err)                                                                          \
	BPFLP_FMOD_RET(security_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode) \
	{                                                                                            \
		return gap_target(dentry, "bpflp-gsb") ? -(err) : 0;                                 \
	}

#define GAP_DENY_UNLINK(err)                                                                       \
	BPFLP_FMOD_RET(security_inode_unlink, struct inode *dir, struct dentry *dentry)            \
	{                                                                                          \
		return gap_target(dentry, "bpflp-gsb") ? -(err) : 0;                               \
	}

/*
 * Observers only (gap-obs@N): count the entries and exits of opens of
 * bpflp-gap* in bpflp_gap_obs, pinned by name at /sys/fs/bpf/bpflp_gap_obs:
 * entry N * 2 counts entries seen by version N, N * 2 + 1 exits. Across
 * replaces of one version by the other, every open must be counted once on
 * entry and once on exit, whichever version counts it.
 */
#define GAP_OBSERVE_OPEN(version)                                                                  \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, 8);                                                            \
		__type(key, __u32);                                                                \
		__type(value, __u64);                                                              \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} bpflp_gap_obs SEC(".maps");                                                              \
                                                                                                   \
	static __always_inline void gap_count(struct file *file, __u32 key)                        \
	{                                                                                          \
		__u64 *count;                                                                      \
                                                                                                   \
		if (!gap_target(BPF_CORE_READ(file, f_path.dentry), "bpflp-gap"))                  \
			return;                                                                    \
		count = bpf_map_lookup_elem(&bpflp_gap_obs, &key);                                 \
		if (count)                                                                         \
			__sync_fetch_and_add(count, 1);                                            \
	}                                                                                          \
                                                                                                   \
	BPFLP_FENTRY(security_file_open, struct file *file)                                        \
	{                                                                                          \
		gap_count(file, (version)*2);                                                      \
		return 0;                                                                          \
	}                                                                                          \
	BPFLP_FEXIT(security_file_open, struct file *file, int ret)                                \
	{                                                                                          \
		gap_count(file, (version)*2 + 1);                                                  \
		return 0;                                                                          \
	}

#endif /* BPFLP_GAP_BPF_H */
