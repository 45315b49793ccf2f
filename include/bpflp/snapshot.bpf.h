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
 * only once all its programs have left the kernel (loader/engine/slots.c), but a
 * call that entered its trampoline before that may still run them.
 *
 * An entry can outlive its call: the kernel skips the fexit programs, drops
 * included, of a call in progress when its trampoline changes. The next
 * call at that frame address then finds it, and renews it (see
 * bpflp__stale).
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

/* The entry of this call: only the top one can be (one a call left is renewed on entry). */
static __always_inline struct bpflp_snap_entry *bpflp__call_entry(struct bpflp_snapshot *snap,
								  void *ctx, __u64 func_key)
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

/*
 * bpflp_state's value, addressed directly: one ld_imm64, where the inlined
 * lookup of the map cost 12 of the gate's 30 instructions between
 * transactions (18 now: docs/benchmarks.md, run K). The loader points this
 * section's map at the bpflp_state pin (share_state_section), so it is
 * the same memory the commit program swaps; the value is never written here.
 */
struct bpflp_state bpflp_live SEC(BPFLP_STATE_SECTION);

static __always_inline struct bpflp_state *bpflp__state(void)
{
	return &bpflp_live;
}

static __always_inline __u64 bpflp__live_word(void)
{
	return *(volatile __u64 *)&bpflp__state()->active_mask;
}

static __always_inline __u64 bpflp__epoch(void)
{
	return *(volatile __u64 *)&bpflp__state()->epoch;
}

/* Can a transaction flip the word now (struct bpflp_state)? */
static __always_inline bool bpflp__in_flux(void)
{
	return *(volatile __u64 *)&bpflp__state()->flux;
}

/*
 * Did this entry come from an earlier call? The kernel skips every fexit
 * program, drops included, of a call that was inside the function when its
 * trampoline changed (docs/design.md, "The fexit cut"): that call's entry
 * stays, and the next call at the same frame address matches it. On entry
 * the programs of one call run one after the other, newest first, so
 * before this instance's take only newer patches' programs can have marked
 * the call's own entry: it is stale if this take marked it already, or if
 * every slot that marked it is older than this one (bpflp_order).
 */
struct bpflp__older_scan {
	__u64 takers; /* slots that marked the entry */
	__u64 own;    /* the finder's slot bit */
	bool all_older;
};

/* bpf_loop callback: is slot m, if it marked the entry, older than the finder? */
static long bpflp__older_step(__u32 m, void *data)
{
	struct bpflp__older_scan *scan = data;
	__u32 key = m;
	__u64 *newer;

	if (!((scan->takers >> (m & 63)) & 1))
		return 0;
	newer = bpf_map_lookup_elem(&bpflp_order, &key);
	if (newer && (*newer & scan->own))
		return 0;
	scan->all_older = false; /* a slot not older than the finder marked it */
	return 1;
}

static __always_inline bool bpflp__stale(const struct bpflp_snap_entry *entry, __u32 slot, bool take)
{
	struct bpflp__older_scan scan = {
		.takers = entry->takers,
		.own = 1ULL << slot,
		.all_older = true,
	};

	if (take && (scan.takers & scan.own))
		return true;
	/* A bounded loop over the slots: the 6.1 verifier cannot tell its iterations apart. */
	bpf_loop(BPFLP_MAX_SLOTS, bpflp__older_step, &scan, 0);
	return scan.all_older;
}

/*
 * An entry an earlier call left starts again as this call's, with the live
 * word. Only asked where it matters: while its word is the live one, it
 * gives this call the right word anyway. One pushed in an earlier
 * transaction (epoch) is an earlier call's: a call's programs on entry do
 * not straddle a whole transaction (docs/design.md, "Between
 * transactions").
 */
static __always_inline void bpflp__renew_if_stale(struct bpflp_snap_entry *entry, __u32 slot,
						  bool take)
{
	__u64 word = bpflp__live_word(), epoch = bpflp__epoch();

	if (entry->active_mask == word || (entry->epoch == epoch && !bpflp__stale(entry, slot, take)))
		return;
	entry->takers = 0;
	entry->active_mask = word;
	entry->epoch = epoch;
}

/*
 * May a gate without a drop of its own on this call (own_drop false) use
 * this entry? Not one an earlier transaction left whose word is no longer
 * the live one: it is an earlier call's (see bpflp__renew_if_stale). One
 * from this transaction is this call's wherever the call needs a snapshot:
 * there a program that may push runs first and renews a stale one.
 */
static __always_inline bool bpflp__joinable(const struct bpflp_snap_entry *entry)
{
	return entry->epoch == bpflp__epoch() || entry->active_mask == bpflp__live_word();
}

/*
 * The commit word this call uses; joins (or, first, pushes) the call's entry
 * for slot when the instance is armed. on_entry: the caller runs before the
 * function (a take, an fentry or fmod_ret gate); take: it is a take;
 * own_drop: the patch's drop runs at this call's end, so it may push and
 * mark (without, it only joins an entry, or reads the live word). The
 * entry is reserved (depth raised, ctx 0) before it is filled and its ctx
 * written last, so an interrupt that runs a patched function meanwhile
 * pushes above it and never mistakes a half-written entry for its own.
 */
static __always_inline __u64 bpflp__call_word(void *ctx, __u64 func_key, __u32 slot, __u64 gen,
					      bool on_entry, bool take, bool own_drop)
{
	struct bpflp_snap_entry *entry;
	struct bpflp_snapshot *snap;
	bool armed = slot < BPFLP_MAX_SLOTS && bpflp__armed(slot, gen);
	/*
	 * Only on entry: on exit, only the patch's drop runs after this gate
	 * before an entry it pushed would be popped, and a mark it set would
	 * serve nothing. Where `bpflp recover` attached a deleted drop link
	 * again (so the drop, newer than the patch's fexit, runs before it),
	 * a push or mark on exit would never be undone, and the entry would
	 * stay on the task's stack.
	 */
	bool marks = armed && own_drop && on_entry;
	__u32 depth;
	__u64 word;

	snap = bpflp__snapshot(marks);
	entry = snap ? bpflp__call_entry(snap, ctx, func_key) : NULL;
	if (entry && marks)
		bpflp__renew_if_stale(entry, slot, take);
	if (entry && !own_drop && !bpflp__joinable(entry))
		entry = NULL;
	if (entry) {
		if (marks)
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
	if (!marks)
		return word; /* on exit, or no drop of this patch would pop an entry */
	if (!snap)
		return word; /* task storage refused: this call reads the live word */
	depth = snap->depth;
	if (depth >= BPFLP_SNAP_DEPTH)
		return word; /* nested too deep: this call reads the live word */
	entry = &snap->entries[depth];
	entry->ctx = 0;
	barrier();
	snap->depth = depth + 1;
	barrier();
	entry->func_key = func_key;
	entry->active_mask = word;
	entry->takers = 1ULL << slot;
	entry->epoch = bpflp__epoch();
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
		return; /* not marked for this patch: another patch's drop pops it */
	entry->takers &= ~(1ULL << slot);
	if (!entry->takers)
		snap->depth--;
}

#endif /* BPFLP_SNAPSHOT_BPF_H */
