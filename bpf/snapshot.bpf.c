// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp's own programs around a patch's programs on one function (see
 * include/bpflp/snapshot.bpf.h). Each patch attaches one instance on every
 * function it touches: `drop` (fexit) before its own programs and `take`
 * (fentry) after them. The trampoline runs the programs of a kind newest
 * first, so the newest take runs before every gate of a call and marks its
 * patch in the call's entry; each drop runs after its patch's fexit gates.
 * A take also marks a patch whose only programs on the function are fexit
 * ones, so a newer patch's drop cannot pop the entry before they run.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpflp/snapshot.bpf.h"

/*
 * Set before load: the function, the patch's slot and generation, and
 * whether the patch has an fexit program on the function.
 */
const volatile __u64 target_key = 0;
const volatile __u32 slot = BPFLP_NO_SLOT;
const volatile __u64 gen = 0;
const volatile __u32 exit_side = 0;

SEC("fentry")
int BPF_PROG(bpflp_take)
{
	/*
	 * Between transactions the patch's gates on entry read the word from
	 * the map (bpflp__gate): only a call that also runs its fexit programs
	 * needs its word kept, in case a transaction flips it meanwhile.
	 */
	if (!exit_side && !bpflp__in_flux())
		return 0;
	bpflp__call_word(ctx, target_key, slot, gen, true, true, true);
	return 0;
}

SEC("fexit")
int BPF_PROG(bpflp_drop)
{
	bpflp__call_done(ctx, target_key, slot);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
