/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp_companion internals: targets (one ftrace_ops per replaced
 * function) and the programs attached to them. companion_hook.c runs the
 * programs; companion_dev.c is the misc device userspace drives.
 */
#ifndef BPFLP_KMOD_COMPANION_H
#define BPFLP_KMOD_COMPANION_H

#include <linux/bpf.h>
#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include "bpflp/companion.h"
#include "companion_ident.h"

/* One replacing program of a patch on a target, with the patch's drop. */
struct companion_attachment {
	struct list_head node; /* target->attachments, RCU, newest first */
	struct rcu_head rcu;
	struct bpf_prog *prog;
	struct bpf_prog *drop;
	struct bpf_map *verdict_map; /* the prog's bpflp_verdict */
	u64 __percpu *calls;         /* calls the program ran in */
	u64 __percpu *overrides;     /* calls it made return early */
};

/* A function the module holds with its own ftrace_ops. */
struct companion_target {
	struct list_head node; /* companion_targets, under companion_mutex */
	unsigned long addr;
	u32 nr_args;
	struct ftrace_ops ops;
	struct list_head attachments;
	unsigned int seq;     /* bumped by each attach (companion_handler()) */
	u64 __percpu *misses; /* calls or programs skipped: recursion on this CPU */
};

extern struct list_head companion_targets;
extern struct mutex companion_mutex;

/* Hold func (the target of prog, from its load) and run prog on each call. */
int companion_attach(struct bpf_prog *prog, struct bpf_prog *drop);
/* Stop running the program with this id; its target goes with its last program. */
int companion_detach(u32 prog_id);
#endif /* BPFLP_KMOD_COMPANION_H */
