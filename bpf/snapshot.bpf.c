// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp's own fentry program, attached to every function a patch replaces
 * (fmod_ret), before the patch's programs. fentry programs all run before
 * any fmod_ret program of the same call, so the copy of the commit word it
 * stores is the one every gate of the call then uses: a commit landing in
 * the middle of a call cannot make the newer patch's gate see the old word
 * and the older patch's gate the new one, which would skip both.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpflp/maps.bpf.h"

/* BTF id of the function this instance is attached to (set before load). */
const volatile __u64 target_key = 0;

SEC("fentry")
int BPF_PROG(bpflp_snapshot)
{
	struct bpflp_snapshot *snap;
	struct bpflp_state *state;
	__u32 zero = 0;

	state = bpf_map_lookup_elem(&bpflp_state, &zero);
	if (!state)
		return 0;
	snap = bpf_task_storage_get(&bpflp_snap, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!snap)
		return 0;
	snap->ctx = (__u64)ctx;
	snap->func_key = target_key;
	snap->active_mask = *(volatile __u64 *)&state->active_mask;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
