// SPDX-License-Identifier: GPL-2.0
/*
 * The single commit point of every bpflp transaction. A map update from
 * userspace copies the value with memcpy, which a gate on another CPU could
 * read half-written; this program swaps the word with one atomic
 * compare-and-swap instead, and refuses if the word is not the one the
 * loader planned from (another writer got there first).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpflp/maps.bpf.h"

SEC("syscall")
int bpflp_commit(struct bpflp_commit_args *args)
{
	struct bpflp_state *state;
	__u32 zero = 0;

	state = bpf_map_lookup_elem(&bpflp_state, &zero);
	if (!state)
		return -1;
	args->observed_mask = __sync_val_compare_and_swap(&state->active_mask, args->expected_mask,
							  args->new_mask);
	return args->observed_mask == args->expected_mask ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
