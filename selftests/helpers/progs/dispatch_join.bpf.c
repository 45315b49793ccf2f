// SPDX-License-Identifier: GPL-2.0
/*
 * Around bpflp's stub (bpf/dispatch.bpf.c) on security_file_open, for
 * dispatch_join: the two implementations the stub's sides hold, and a
 * pusher and popper that give the test's own opens a snapshot entry
 * holding a word of the test's choosing, as a take and a drop would
 * (include/bpflp/snapshot.bpf.h). The stub must use that entry's word
 * while the state is in flux and the entry joinable, and the live word
 * otherwise. This object owns the state and snapshot maps the stub reuses.
 */
#include "vmlinux.h"
#include "bpflp/snapshot.bpf.h"
#include "open_target.bpf.h"

const volatile __u64 target_key; /* security_file_open's, as the stub's */

__u32 push;       /* give the test's opens an entry */
__u64 push_word;  /* its word */
__u64 push_epoch; /* its epoch */
__u64 push_key;   /* the function it names: target_key, or another */
__u64 pushes;     /* entries given: the test checks the pusher ran */

SEC("fentry/security_file_open")
int BPF_PROG(pusher, struct file *file)
{
	struct bpflp_snapshot *snap;
	struct bpflp_snap_entry *entry;
	__u32 depth;

	if (!push || !is_target(file))
		return 0;
	snap = bpflp__snapshot(true);
	if (!snap)
		return 0;
	depth = snap->depth;
	if (depth >= BPFLP_SNAP_DEPTH)
		return 0;
	entry = &snap->entries[depth];
	entry->ctx = (__u64)ctx;
	entry->func_key = push_key;
	entry->active_mask = push_word;
	entry->takers = 1;
	entry->epoch = push_epoch;
	snap->depth = depth + 1;
	pushes++;
	return 0;
}

SEC("fexit/security_file_open")
int BPF_PROG(popper, struct file *file, int ret)
{
	struct bpflp_snapshot *snap;

	if (!push || !is_target(file))
		return 0;
	snap = bpflp__snapshot(false);
	if (snap && snap->depth)
		snap->depth--;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
