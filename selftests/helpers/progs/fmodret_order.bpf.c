// SPDX-License-Identifier: GPL-2.0
/*
 * Design probe: two fmod_ret programs on the same function, each returning its
 * own errno for one process and inode. The errno open() sees tells which one
 * the trampoline ran first (the one that runs first and returns non-zero
 * short-circuits the rest and the original function).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid;
const volatile __u64 target_ino;
const volatile __s32 errno_a; /* positive errno values */
const volatile __s32 errno_b;

__u64 runs_a;
__u64 runs_b;

static __always_inline bool is_target(struct file *file)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid &&
	       BPF_CORE_READ(file, f_inode, i_ino) == target_ino;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_a, struct file *file, int ret)
{
	if (ret || !is_target(file))
		return ret;
	__sync_fetch_and_add(&runs_a, 1);
	return -errno_a;
}

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_b, struct file *file, int ret)
{
	if (ret || !is_target(file))
		return ret;
	__sync_fetch_and_add(&runs_b, 1);
	return -errno_b;
}

char LICENSE[] SEC("license") = "GPL";
