// SPDX-License-Identifier: GPL-2.0
/*
 * Platform test: an fmod_ret program on security_file_open() makes open() of
 * one inode fail with a chosen errno, for one process only.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid;
const volatile __u64 target_ino;
const volatile __s32 deny_errno; /* positive errno value */

__u64 denied;

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_file_open, struct file *file, int ret)
{
	if (ret) /* an earlier program already decided */
		return ret;
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	if (BPF_CORE_READ(file, f_inode, i_ino) != target_ino)
		return 0;
	__sync_fetch_and_add(&denied, 1);
	return -deny_errno;
}

char LICENSE[] SEC("license") = "GPL";
