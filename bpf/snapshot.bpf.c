// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp's own per-call snapshot of the commit word (see struct
 * bpflp_snapshot in abi.h). Each patch attaches one instance on every
 * function it touches: `drop` (fexit) before its own programs and `take`
 * (fentry) after them. The trampoline runs the programs of a kind newest
 * first, so a call runs the newest take before any gate, and a patch's
 * drop after that patch's fexit gates. A call's entry is popped by the last
 * drop whose take saw the call, so it never outlives the call.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpflp/maps.bpf.h"

/* BTF id of the function this instance is attached to, and its patch's slot. */
const volatile __u64 target_key = 0;
const volatile __u32 slot = BPFLP_NO_SLOT;

static __always_inline struct bpflp_snap_entry *call_entry(struct bpflp_snapshot *snap, void *ctx)
{
	__u32 top = snap->depth - 1;

	if (top >= BPFLP_SNAP_DEPTH || snap->entries[top].ctx != (__u64)ctx ||
	    snap->entries[top].func_key != target_key)
		return NULL;
	return &snap->entries[top];
}

SEC("fentry")
int BPF_PROG(bpflp_take)
{
	struct bpflp_snap_entry *entry;
	struct bpflp_snapshot *snap;
	struct bpflp_state *state;
	__u32 zero = 0, depth;

	if (slot >= BPFLP_MAX_SLOTS)
		return 0;
	state = bpf_map_lookup_elem(&bpflp_state, &zero);
	snap = bpf_task_storage_get(&bpflp_snap, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!state || !snap)
		return 0;	/* the gates of this call read the live word */
	entry = call_entry(snap, ctx);
	if (entry) {
		/* A newer patch's take came first: keep its copy, share the entry. */
		entry->takers |= 1ULL << slot;
		return 0;
	}
	depth = snap->depth;
	if (depth >= BPFLP_SNAP_DEPTH)
		return 0;	/* nested too deep: this call's gates read the live word */
	entry = &snap->entries[depth];
	entry->ctx = (__u64)ctx;
	entry->func_key = target_key;
	entry->active_mask = *(volatile __u64 *)&state->active_mask;
	entry->takers = 1ULL << slot;
	snap->depth = depth + 1;
	return 0;
}

SEC("fexit")
int BPF_PROG(bpflp_drop)
{
	struct bpflp_snap_entry *entry;
	struct bpflp_snapshot *snap;

	if (slot >= BPFLP_MAX_SLOTS)
		return 0;
	snap = bpf_task_storage_get(&bpflp_snap, bpf_get_current_task_btf(), 0, 0);
	if (!snap)
		return 0;
	entry = call_entry(snap, ctx);
	if (!entry || !(entry->takers & (1ULL << slot)))
		return 0;	/* not our take's entry: its own drop pops it */
	entry->takers &= ~(1ULL << slot);
	if (!entry->takers)
		snap->depth--;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
