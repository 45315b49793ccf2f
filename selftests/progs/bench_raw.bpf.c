// SPDX-License-Identifier: GPL-2.0
/* Ungated programs on security_task_getsid(): the cost floor bpflp's gate adds to. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fmod_ret/security_task_getsid")
int BPF_PROG(raw_fmod_ret, struct task_struct *p)
{
	return 0;
}

SEC("fentry/security_task_getsid")
int BPF_PROG(raw_fentry, struct task_struct *p)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
