// SPDX-License-Identifier: GPL-2.0
/* Platform test: an fentry program sees every do_unlinkat() call of one process. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid;

__u64 calls;

SEC("fentry/do_unlinkat")
int BPF_PROG(count_unlinkat, int dfd, struct filename *name)
{
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	__sync_fetch_and_add(&calls, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
