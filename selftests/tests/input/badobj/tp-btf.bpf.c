// SPDX-License-Identifier: GPL-2.0
/* A BTF tracepoint: a tracing program, but not fentry/fexit/fmod_ret. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("tp-btf", 1);

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch__entry, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return 0;
}
