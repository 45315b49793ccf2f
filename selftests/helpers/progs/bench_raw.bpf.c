// SPDX-License-Identifier: GPL-2.0
/*
 * Ungated programs on security_task_getsid(), for the ablation in
 * selftests/tests/bench/bench.sh: the bare fmod_ret floor, then the pieces of
 * bpflp's gate added one at a time, each as the gate does it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct word {
	__u64 active_mask;
	__u64 flux;
};

struct bench_stat {
	__u64 calls;
	__u64 overrides;
};

struct stat_key {
	__u64 func_key;
	__u32 kind;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct word);
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_stat);
} stats_array SEC(".maps");

/* How bpflp counted before: a per-CPU hash keyed by function and kind. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 96);
	__type(key, struct stat_key);
	__type(value, struct bench_stat);
} stats_hash SEC(".maps");

static __always_inline int word_open(void)
{
	__u32 zero = 0;
	struct word *w = bpf_map_lookup_elem(&state, &zero);

	return w && !*(volatile __u64 *)&w->flux && (*(volatile __u64 *)&w->active_mask & 1);
}

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

/* + the steady-state gate: the word read from its map. */
SEC("fmod_ret/security_task_getsid")
int BPF_PROG(raw_word, struct task_struct *p)
{
	return word_open() ? 0 : 0;
}

/* + counting in a per-CPU array (bpflp now). */
SEC("fmod_ret/security_task_getsid")
int BPF_PROG(raw_word_count_array, struct task_struct *p)
{
	__u32 zero = 0;
	struct bench_stat *s;

	if (!word_open())
		return 0;
	s = bpf_map_lookup_elem(&stats_array, &zero);
	if (s)
		__sync_fetch_and_add(&s->calls, 1);
	return 0;
}

/* + counting in a per-CPU hash (bpflp before). */
SEC("fmod_ret/security_task_getsid")
int BPF_PROG(raw_word_count_hash, struct task_struct *p)
{
	struct stat_key key = { .func_key = 1 };
	struct bench_stat *s, zero = {};

	if (!word_open())
		return 0;
	s = bpf_map_lookup_elem(&stats_hash, &key);
	if (!s) {
		bpf_map_update_elem(&stats_hash, &key, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stats_hash, &key);
		if (!s)
			return 0;
	}
	__sync_fetch_and_add(&s->calls, 1);
	return 0;
}

/* Empty programs around the gate, where bpflp's take and drop sit: what two more programs cost. */
SEC("fentry/security_task_getsid")
int BPF_PROG(raw_empty_fentry, struct task_struct *p)
{
	return 0;
}

SEC("fexit/security_task_getsid")
int BPF_PROG(raw_empty_fexit, struct task_struct *p, int ret)
{
	return 0;
}

/*
 * The design probe's stub (selftests/helpers/progs/tail_dispatch.bpf.c): one
 * program attached, which tail-calls the implementation a global index
 * names in a program array. What the indirection costs a call.
 */
__u64 dispatch_index;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} dispatch_impls SEC(".maps");

SEC("fmod_ret/security_task_getsid")
int BPF_PROG(raw_dispatch, struct task_struct *p)
{
	bpf_tail_call(ctx, &dispatch_impls, *(volatile __u64 *)&dispatch_index);
	return 0;
}

/* Loaded, never attached: what raw_dispatch tail-calls (an empty fmod_ret, as raw_fmod_ret). */
SEC("fmod_ret/security_task_getsid")
int BPF_PROG(raw_dispatch_impl, struct task_struct *p)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
