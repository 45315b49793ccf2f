// SPDX-License-Identifier: GPL-2.0
/*
 * Transaction-time take and drop links (snapshot_links.h): which patches a
 * transaction snaps, attaching them, and detaching them when it ends.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commit.h"
#include "fault.h"
#include "kernel.h"
#include "log.h"
#include "output.h"
#include "pinned_link.h"
#include "pins.h"
#include "snapshot_links.h"
#include "stage.h"

static int programs_of(const struct patch_meta *m, __u64 key)
{
	int n = 0;

	for (__u32 i = 0; i < m->nr_funcs; i++)
		n += m->funcs[i].key == key;
	return n;
}

/* m's gated programs on key; *stub set if it dispatches one there. */
static int gated_of(const struct patch_meta *m, __u64 key, bool *stub)
{
	int n = 0;

	for (__u32 i = 0; i < m->nr_funcs; i++) {
		if (m->funcs[i].key != key)
			continue;
		if (m->funcs[i].route == FUNC_ROUTE_DISPATCH)
			*stub = true;
		else
			n++;
	}
	return n;
}

/*
 * The readers of the commit word on the function key, of the active
 * records and of incoming: each gated program, and the function's
 * dispatch stub once for all the programs it may run (a dispatched
 * program reads no word: dispatch_set.h).
 */
static int programs_on(const struct registry *reg, const struct patch_meta *incoming, __u64 key)
{
	bool stub = false;
	int n = incoming ? gated_of(incoming, key, &stub) : 0;

	for (int r = 0; r < reg->nr; r++)
		if (reg->recs[r].meta.status == PATCH_ACTIVE && &reg->recs[r].meta != incoming)
			n += gated_of(&reg->recs[r].meta, key, &stub);
	return n + stub;
}

bool snapshot_needed(const struct registry *reg, const struct patch_meta *m,
		     const struct patch_meta *incoming)
{
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		const struct func_meta *f = &m->funcs[i];

		if (!meta_first_on_func(m, i) || meta_snap_mode_at(m, i) != BPFLP_SNAP_ON_DEMAND)
			continue;
		if (incoming && incoming != m && programs_of(incoming, f->key))
			continue; /* the incoming patch's take runs first there */
		if (programs_on(reg, incoming, f->key) >= 2)
			return true;
	}
	return false;
}

/* The newest active record with a program on key, other than skip; or -1. */
static int newest_on(const struct registry *reg, __u64 key, const struct patch_record *skip)
{
	/* The registry is sorted oldest apply first, as bpflp_order is. */
	for (int r = reg->nr - 1; r >= 0; r--)
		if (reg->recs[r].meta.status == PATCH_ACTIVE && &reg->recs[r] != skip &&
		    !reg->recs[r].dir_missing && programs_of(&reg->recs[r].meta, key))
			return r;
	return -1;
}

/* A record snaps on its entry-only functions only: flag it if func is one. */
static void plan_add(bool *plan, const struct registry *reg, int r, const char *func)
{
	if (r >= 0 && meta_snap_mode(&reg->recs[r].meta, func) == BPFLP_SNAP_ON_DEMAND)
		plan[r] = true;
}

/*
 * The active records a cumulative apply of incoming snaps: on each function
 * incoming does not touch and two programs share, the newest patch there.
 */
static void plan_replace(const struct registry *reg, const struct patch_meta *incoming, bool *plan)
{
	for (int r = 0; r < reg->nr; r++) {
		const struct patch_meta *m = &reg->recs[r].meta;

		if (m->status != PATCH_ACTIVE)
			continue;
		/*
		 * Where incoming has no program, every patch goes: the newest
		 * one's take, run first, covers the call. Where it has one, its
		 * own take does.
		 */
		for (__u32 i = 0; i < m->nr_funcs; i++)
			if (meta_first_on_func(m, i) && !programs_of(incoming, m->funcs[i].key) &&
			    programs_on(reg, NULL, m->funcs[i].key) >= 2)
				plan_add(plan, reg, newest_on(reg, m->funcs[i].key, NULL),
					 m->funcs[i].name);
	}
}

/*
 * The records a disable of gone snaps: gone where snapshot_needed says so
 * and, on each function where gone is the newest patch, the next newest.
 */
static void plan_disable(const struct registry *reg, const struct patch_record *gone, bool *plan)
{
	const struct patch_meta *m = &gone->meta;
	int self = (int)(gone - reg->recs);

	plan[self] = snapshot_needed(reg, m, NULL);
	/*
	 * Where it is the newest patch, the next one takes over: its take
	 * renews the entries calls of this transaction leave once the disabled
	 * patch is gone (the epoch raised before the commit covers the calls
	 * that ran before it was attached).
	 */
	for (__u32 i = 0; i < m->nr_funcs; i++)
		if (meta_first_on_func(m, i) && m->funcs[i].route != FUNC_ROUTE_COMPANION &&
		    newest_on(reg, m->funcs[i].key, NULL) == self)
			plan_add(plan, reg, newest_on(reg, m->funcs[i].key, gone), m->funcs[i].name);
}

/* Is funcs[i] the first of the record on an entry-only trampoline function? */
static bool on_demand_func(const struct patch_meta *m, __u32 i)
{
	return meta_first_on_func(m, i) && meta_snap_mode_at(m, i) == BPFLP_SNAP_ON_DEMAND;
}

/*
 * A pinned link is kept (a dead bpflp's, or one a pending journal left):
 * its program cannot be linked there twice, and an unpinned link leaves
 * the trampoline only later.
 */
static int attach_if_missing(const struct patch_record *rec, const char *func,
			     const struct pin_piece *piece)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), rec->dir, func, piece->link);
	if (err || !access(pin, F_OK))
		return err;
	/* A dispatched function's take and drop are loaded when first needed (stage.c). */
	err = store_pin_path(pin, sizeof(pin), rec->dir, func, piece->prog);
	if (!err && access(pin, F_OK) && meta_dispatches(&rec->meta, func))
		err = restore_snapshot_programs(&rec->meta, rec->dir, func);
	return err ?: attach_pinned(rec->dir, func, piece->prog, piece->link, piece->type);
}

/*
 * Attach rec's drops, snap its slot, attach its takes, on its entry-only
 * trampoline functions (a link already pinned is kept).
 */
static int attach_record(struct commit_ctx *cc, const struct patch_record *rec)
{
	const struct patch_meta *m = &rec->meta;
	int err = 0;

	for (__u32 i = 0; i < m->nr_funcs && !err; i++)
		if (on_demand_func(m, i))
			err = attach_if_missing(rec, m->funcs[i].name, &pin_drop);
	if (!err)
		err = snap_slot(cc, m->slot);
	for (__u32 i = 0; i < m->nr_funcs && !err; i++)
		if (on_demand_func(m, i))
			err = attach_if_missing(rec, m->funcs[i].name, &pin_take);
	if (err == -ENOENT)
		p_err("cannot attach bpflp's snapshot programs of %s@%u for this transaction: a program pin in %s is gone; apply %s again to load it, then retry",
		      m->name, m->version, rec->dir, m->object);
	else if (err)
		p_err("cannot attach bpflp's snapshot programs of %s@%u for this transaction: %s",
		      m->name, m->version, strerror(-err));
	else
		fault_point("snapshot-on");
	return err;
}

/* Links a transaction adds on key: the planned takes and drops, and incoming's. */
static int links_added(const struct registry *reg, const bool *plan,
		       const struct patch_meta *incoming, __u64 key, const char **func)
{
	int n = 0, own = incoming ? programs_of(incoming, key) : 0;

	for (int r = 0; r < reg->nr; r++)
		for (__u32 i = 0; plan[r] && i < reg->recs[r].meta.nr_funcs; i++)
			if (reg->recs[r].meta.funcs[i].key == key &&
			    on_demand_func(&reg->recs[r].meta, i)) {
				*func = reg->recs[r].meta.funcs[i].name;
				n += 2;
			}
	return n + (own ? 2 + own : 0);
}

/*
 * 0 if every function the planned records (and incoming, if given) take
 * and drop on stays within the kernel's links per function during the
 * transaction; else refuses, saying what cannot be done and why.
 */
static int plan_fits(const struct registry *reg, const bool *plan,
		     const struct patch_meta *incoming, const char *what)
{
	__u64 *keys = NULL;
	int nr = 0, max = 0, *counts = NULL, err = 0;

	for (int r = 0; r < reg->nr; r++)
		max += plan[r] ? (int)reg->recs[r].meta.nr_funcs : 0;
	if (!max)
		return 0; /* nothing planned: check_trampoline_room covers incoming */
	max += incoming ? (int)incoming->nr_funcs : 0;
	keys = calloc(max, sizeof(*keys));
	counts = calloc(max, sizeof(*counts));
	if (!keys || !counts)
		err = -ENOMEM;
	for (int r = 0; r < reg->nr && !err; r++)
		for (__u32 i = 0; plan[r] && i < reg->recs[r].meta.nr_funcs; i++)
			keys[nr++] = reg->recs[r].meta.funcs[i].key;
	for (__u32 i = 0; incoming && i < incoming->nr_funcs && !err; i++)
		keys[nr++] = incoming->funcs[i].key;
	err = err ?: kernel_count_tramp_links(keys, nr, counts);
	if (err)
		p_err("cannot count the BPF links on the functions %s changes: %s", what,
		      strerror(-err));
	for (int k = 0; k < nr && !err; k++) {
		const char *func = "?";
		int total = counts[k] + links_added(reg, plan, incoming, keys[k], &func);

		if (total <= KERNEL_MAX_TRAMP_LINKS)
			continue;
		p_err("cannot %s: %s would carry %d BPF trampoline links during the transaction (with the take and drop of the patches that share it); the kernel allows %d per function: disable a patch stacked there first",
		      what, func, total, KERNEL_MAX_TRAMP_LINKS);
		err = -E2BIG;
	}
	free(keys);
	free(counts);
	return err;
}

/*
 * Plan the records a cumulative apply of incoming, or a disable of gone,
 * snaps; check the plan fits; attach it, oldest record first, so the
 * newest take is attached last.
 */
static int snap_transaction(struct commit_ctx *cc, const struct registry *reg,
			    const struct patch_meta *incoming, const struct patch_record *gone)
{
	const struct patch_meta *m = incoming ?: &gone->meta;
	bool *plan = calloc(reg->nr ?: 1, sizeof(*plan));
	char what[BPFLP_NAME_MAX + 32];
	int err;

	snprintf(what, sizeof(what), "%s %s@%u", incoming ? "apply" : "disable", m->name, m->version);
	if (!plan) {
		p_err("cannot plan bpflp's snapshot programs to %s: out of memory", what);
		return -ENOMEM;
	}
	if (incoming)
		plan_replace(reg, incoming, plan);
	else
		plan_disable(reg, gone, plan);
	err = plan_fits(reg, plan, incoming, what);
	for (int r = 0; r < reg->nr && !err; r++)
		if (plan[r])
			err = attach_record(cc, &reg->recs[r]);
	free(plan);
	return err;
}

int snapshot_links_for_replace(struct commit_ctx *cc, const struct registry *reg,
			       const struct patch_meta *incoming)
{
	return snap_transaction(cc, reg, incoming, NULL);
}

int snapshot_links_for_disable(struct commit_ctx *cc, const struct registry *reg,
			       const struct patch_record *gone)
{
	return snap_transaction(cc, reg, NULL, gone);
}

static void unpin_all(const struct patch_record *rec, const char *link_what)
{
	const struct patch_meta *m = &rec->meta;
	char pin[PATH_MAX];

	/* Only those pinned: a read-only bpffs refuses even to unlink nothing. */
	for (__u32 i = 0; i < m->nr_funcs; i++)
		if (on_demand_func(m, i) &&
		    !store_pin_path(pin, sizeof(pin), rec->dir, m->funcs[i].name, link_what) &&
		    !access(pin, F_OK) && unlink(pin))
			pr_warn("warning: cannot detach %s: %s\n", pin, strerror(errno));
}

void snapshot_links_settle(const struct registry *reg)
{
	for (int r = 0; r < reg->nr; r++) {
		/* The others' pins went with them (teardown_patch_dir). */
		if (reg->recs[r].dir_missing || reg->recs[r].meta.status != PATCH_ACTIVE)
			continue;
		/* Takes before drops: a take never stays without its drop. */
		unpin_all(&reg->recs[r], pin_take.link);
		unpin_all(&reg->recs[r], pin_drop.link);
	}
}
