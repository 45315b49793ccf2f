/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-call copy of the commit word (struct bpflp_snapshot in abi.h),
 * shared by bpflp's take/drop programs (bpf/snapshot.bpf.c) and every
 * patch's gate (patch.bpf.h). The first program of a patched call that
 * finds no entry for the call pushes one with the live word; every later
 * program of the call uses that copy. Each program marks its patch's slot
 * in `takers`, and each patch's drop clears its own; the entry goes when
 * none is left.
 *
 * Only an armed instance marks its slot (bpflp_armed[slot] == its
 * generation). The loader disarms a patch before it detaches anything of
 * it: links come off asynchronously, in no set order, so a take or gate
 * may outlive its drop for a moment, and must then no longer mark a slot
 * nobody would clear. A disarmed gate opens only on the entry of a call
 * that began while it was armed: the loader gives its slot to a new patch
 * only once all its programs have left the kernel (loader/slots.c), but a
 * call that entered its trampoline before that may still run them.
 */
#ifndef BPFLP_SNAPSHOT_BPF_H
#define BPFLP_SNAPSHOT_BPF_H

#include <bpf/bpf_helpers.h>
#include "bpflp/maps.bpf.h"

static __always_inline struct bpflp_snapshot *bpflp__snapshot(bool create)
{
	return bpf_task_storage_get(&bpflp_snap, bpf_get_current_task_btf(), 0,
				    create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* The entry of this call: only the top one can be, and none outlives its call. */
static __always_inline struct bpflp_snap_entry *
bpflp__call_entry(struct bpflp_snapshot *snap, void *ctx, __u64 func_key)
{
	__u32 top = snap->depth - 1;

	if (top >= BPFLP_SNAP_DEPTH || snap->entries[top].ctx != (__u64)ctx ||
	    snap->entries[top].func_key != func_key)
		return NULL;
	return &snap->entries[top];
}

static __always_inline bool bpflp__armed(__u32 slot, __u64 gen)
{
	__u64 *armed = bpf_map_lookup_elem(&bpflp_armed, &slot);

	return armed && *armed == gen;
}

static __always_inline __u64 bpflp__live_word(void)
{
	struct bpflp_state *state;
	__u32 zero = 0;

	state = bpf_map_lookup_elem(&bpflp_state, &zero);
	return state ? *(volatile __u64 *)&state->active_mask : 0;
}

/*
 * The commit word this call uses; joins (or, first, pushes) the call's entry
 * for slot when the instance is armed. The entry is reserved (depth raised,
 * ctx 0) before it is filled and its ctx written last, so an interrupt that
 * runs a patched function meanwhile pushes above it and never mistakes a
 * half-written entry for its own.
 */
static __always_inline __u64 bpflp__call_word(void *ctx, __u64 func_key, __u32 slot, __u64 gen)
{
	struct bpflp_snap_entry *entry;
	struct bpflp_snapshot *snap;
	bool armed = slot < BPFLP_MAX_SLOTS && bpflp__armed(slot, gen);
	__u32 depth;
	__u64 word;

	snap = bpflp__snapshot(armed);
	entry = snap ? bpflp__call_entry(snap, ctx, func_key) : NULL;
	if (entry) {
		if (armed)
			entry->takers |= 1ULL << slot;
		return entry->active_mask;
	}
	/*
	 * A disarmed instance without an entry shuts: a call that began while
	 * it was armed has one its take marked, kept until its own drop. Any
	 * word read now may hold its slot's bit only for the slot's next owner.
	 */
	if (!armed)
		return 0;
	word = bpflp__live_word();
	if (!snap)
		return word;	/* task storage refused: this call reads the live word */
	depth = snap->depth;
	if (depth >= BPFLP_SNAP_DEPTH)
		return word;	/* nested too deep: this call reads the live word */
	entry = &snap->entries[depth];
	entry->ctx = 0;
	barrier();
	snap->depth = depth + 1;
	barrier();
	entry->func_key = func_key;
	entry->active_mask = word;
	entry->takers = 1ULL << slot;
	barrier();
	entry->ctx = (__u64)ctx;
	return word;
}

/* This call is over for slot's patch: the last patch to leave pops the entry. */
static __always_inline void bpflp__call_done(void *ctx, __u64 func_key, __u32 slot)
{
	struct bpflp_snap_entry *entry;
	struct bpflp_snapshot *snap;

	if (slot >= BPFLP_MAX_SLOTS)
		return;
	snap = bpflp__snapshot(false);
	if (!snap)
		return;
	entry = bpflp__call_entry(snap, ctx, func_key);
	if (!entry || !(entry->takers & (1ULL << slot)))
		return;	/* not marked for this patch: another patch's drop pops it */
	entry->takers &= ~(1ULL << slot);
	if (!entry->takers)
		snap->depth--;
}

#endif /* BPFLP_SNAPSHOT_BPF_H */
