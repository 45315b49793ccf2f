/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The opens a dispatch probe acts on (tail_dispatch, dispatch_join): the
 * test process's own opens of its target file (any process's when
 * target_tgid is 0, for a stub left pinned), never other files, and
 * the two implementations a stub's array holds for security_file_open,
 * which deny them with different errnos so that open() tells which ran.
 */
#ifndef OPEN_TARGET_BPF_H
#define OPEN_TARGET_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid;
const volatile __u64 target_ino;
const volatile __u32 target_dev; /* the kernel's encoding (MKDEV): inode numbers repeat across filesystems */

static __always_inline bool is_target(struct file *file)
{
	return (!target_tgid || (bpf_get_current_pid_tgid() >> 32) == target_tgid) &&
	       BPF_CORE_READ(file, f_inode, i_ino) == target_ino &&
	       BPF_CORE_READ(file, f_inode, i_sb, s_dev) == target_dev;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_eperm, struct file *file, int ret)
{
	return is_target(file) ? -1 : 0;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_eacces, struct file *file, int ret)
{
	return is_target(file) ? -13 : 0;
}

#endif /* OPEN_TARGET_BPF_H */
