// SPDX-License-Identifier: GPL-2.0
/*
 * Ungated fmod_ret programs for the kernel-loop benchmark (bench_kloop):
 * on vmlinux's security_ismaclabel(), which a bpflp patch also takes, and
 * on the target module's security_bpflp_bench_0(), which a livepatch also
 * takes (attached through the module's BTF); and one on security_ismaclabel
 * that also counts its calls as a bpflp patch does with its counters on
 * (a per-CPU array entry, an atomic add).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fmod_ret/security_ismaclabel")
int BPF_PROG(raw_fmod_ret_lsm, const char *name)
{
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} raw_calls SEC(".maps");

SEC("fmod_ret/security_ismaclabel")
int BPF_PROG(raw_count_lsm, const char *name)
{
	__u32 zero = 0;
	__u64 *calls = bpf_map_lookup_elem(&raw_calls, &zero);

	if (calls)
		__sync_fetch_and_add(calls, 1);
	return 0;
}

SEC("fmod_ret/security_bpflp_bench_0")
int BPF_PROG(raw_fmod_ret_mod, int x)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
