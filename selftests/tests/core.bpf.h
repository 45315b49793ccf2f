/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building blocks of the core scenario tests' patch objects
 * (selftests/tests/core/ first; the test patches of several areas). Every hook denies only files whose name
 * starts with a test tag, so the VM keeps working while a patch is active:
 *
 *   T_DENY_OPEN(errno)    security_file_open   on "bpflp-t-a*"
 *   T_DENY_UNLINK(errno)  security_inode_unlink on "bpflp-t-b*"
 *   T_DENY_MKDIR(errno)   security_inode_mkdir  on "bpflp-t-c*"
 *
 * Each patch version denies with its own errno, so a syscall's outcome says
 * which patch served it. T_CALLBACKS(id, pre_patch_ret) defines the four
 * callbacks; each appends the event code id * 10 + T_EV_* to the array
 * bpflp_t_cblog, pinned by name at /sys/fs/bpf/bpflp_t_cblog and shared by
 * every object that logs: entry 0 counts events, entries 1.. hold them.
 */
#ifndef BPFLP_T_CORE_BPF_H
#define BPFLP_T_CORE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpflp/patch.bpf.h>
#include "tag.bpf.h"

#define EPERM  1
#define ENODEV 19
#define EACCES 13
#define EROFS  30

#define T_CBLOG_MAX 64

enum {
	T_EV_PRE_PATCH = 1,
	T_EV_POST_PATCH = 2,
	T_EV_PRE_UNPATCH = 3,
	T_EV_POST_UNPATCH = 4,
};

static __always_inline char t_dentry_tag(struct dentry *dentry)
{
	return dentry_tag(dentry, "bpflp-t-");
}

#define T_DENY_OPEN(err)                                                                           \
	BPFLP_FMOD_RET(security_file_open, struct file *file)                                      \
	{                                                                                          \
		return t_dentry_tag(BPF_CORE_READ(file, f_path.dentry)) == 'a' ? -(err) : 0;       \
	}

#define T_DENY_UNLINK(err)                                                                         \
	BPFLP_FMOD_RET(security_inode_unlink, struct inode *dir, struct dentry *dentry)            \
	{                                                                                          \
		return t_dentry_tag(dentry) == 'b' ? -(err) : 0;                                   \
	}

#define T_DENY_MKDIR(err)                                                                            \
	BPFLP_FMOD_RET(security_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode) \
	{                                                                                            \
		return t_dentry_tag(dentry) == 'c' ? -(err) : 0;                                     \
	}

#define T_CALLBACKS(id, pre_patch_ret)                                                             \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, T_CBLOG_MAX);                                                  \
		__type(key, __u32);                                                                \
		__type(value, __u32);                                                              \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} bpflp_t_cblog SEC(".maps");                                                              \
                                                                                                   \
	static __always_inline void t_log(__u32 event)                                             \
	{                                                                                          \
		__u32 zero = 0, idx, *count, *slot;                                                \
                                                                                                   \
		count = bpf_map_lookup_elem(&bpflp_t_cblog, &zero);                                \
		if (!count)                                                                        \
			return;                                                                    \
		idx = __sync_fetch_and_add(count, 1) + 1;                                          \
		slot = bpf_map_lookup_elem(&bpflp_t_cblog, &idx);                                  \
		if (slot)                                                                          \
			*slot = (id)*10 + event;                                                   \
	}                                                                                          \
                                                                                                   \
	BPFLP_CALLBACK(pre_patch)                                                                  \
	{                                                                                          \
		t_log(T_EV_PRE_PATCH);                                                             \
		return pre_patch_ret;                                                              \
	}                                                                                          \
	BPFLP_CALLBACK(post_patch)                                                                 \
	{                                                                                          \
		t_log(T_EV_POST_PATCH);                                                            \
		return 0;                                                                          \
	}                                                                                          \
	BPFLP_CALLBACK(pre_unpatch)                                                                \
	{                                                                                          \
		t_log(T_EV_PRE_UNPATCH);                                                           \
		return 0;                                                                          \
	}                                                                                          \
	BPFLP_CALLBACK(post_unpatch)                                                               \
	{                                                                                          \
		t_log(T_EV_POST_UNPATCH);                                                          \
		return 0;                                                                          \
	}

#endif /* BPFLP_T_CORE_BPF_H */
