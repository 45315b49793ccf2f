// SPDX-License-Identifier: GPL-2.0
/*
 * The fmod_ret stub of one function (docs/design.md, "Next: a replace by
 * program-array writes"): attached once, it reads the commit word and
 * tail-calls the program on the side the word's side bit names
 * (BPFLP_SIDE_BIT). A replace writes the other side and flips the bit with
 * the same compare-and-swap that moves the slots' bits; an empty entry
 * runs the original. An fentry stub is not built: on entry the programs
 * of a call run newest first, so one attached after a take would read
 * the word before the take pushes the call's entry (docs/design.md).
 *
 * The stub reads the word as a gate without a drop of its own does: the
 * call's snapshot entry if another program of the call pushed one (a
 * take, which as an fentry program runs before every fmod_ret program,
 * during a transaction where the function has gated programs besides the
 * stub), else the live word. Between transactions
 * the word cannot change, so the live word is every reader's.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpflp/snapshot.bpf.h"

/* Set before load: the function (its key, as the snapshot entries name it). */
const volatile __u64 target_key = 0;

/* Entry s: the program that runs while the word's side bit is s. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} bpflp_sides SEC(".maps");

static __always_inline __u32 stub_side(void *ctx)
{
	struct bpflp_snap_entry *entry;
	struct bpflp_snapshot *snap;
	__u64 word = bpflp__live_word();

	if (bpflp__in_flux()) {
		snap = bpflp__snapshot(false);
		entry = snap ? bpflp__call_entry(snap, ctx, target_key) : NULL;
		if (entry && bpflp__joinable(entry))
			word = entry->active_mask;
	}
	return word >> BPFLP_SIDE_BIT;
}

SEC("bpflp.stub.fmod_ret")
int BPF_PROG(bpflp_stub)
{
	bpf_tail_call(ctx, &bpflp_sides, stub_side(ctx));
	return 0; /* an empty side: the original runs */
}

char LICENSE[] SEC("license") = "GPL";
