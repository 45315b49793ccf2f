// SPDX-License-Identifier: GPL-2.0
/*
 * Transaction-time take and drop links (snapshot_links.h): which patches a
 * transaction snaps, attaching them, and detaching them when it ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kernel_ops.h"
#include "log.h"
#include "output.h"
#include "snapshot_links.h"

enum bpflp_snap_mode meta_snap_mode(const struct patch_meta *m, const char *func)
{
	enum bpflp_snap_mode mode = BPFLP_SNAP_ON_DEMAND;

	for (__u32 i = 0; i < m->nr_funcs; i++) {
		if (strcmp(m->funcs[i].name, func))
			continue;
		if (m->funcs[i].route == FUNC_ROUTE_COMPANION)
			return BPFLP_SNAP_COMPANION;
		if (m->funcs[i].kind == BPFLP_KIND_FEXIT)
			mode = BPFLP_SNAP_EXIT;
	}
	return mode;
}

static int programs_of(const struct patch_meta *m, __u64 key)
{
	int n = 0;

	for (__u32 i = 0; i < m->nr_funcs; i++)
		n += m->funcs[i].key == key;
	return n;
}

/* bpflp's programs on the function key: of the active records, and of incoming. */
static int programs_on(const struct registry *reg, const struct patch_meta *incoming, __u64 key)
{
	int n = incoming ? programs_of(incoming, key) : 0;

	for (int r = 0; r < reg->nr; r++)
		if (reg->recs[r].meta.status == PATCH_ACTIVE && &reg->recs[r].meta != incoming)
			n += programs_of(&reg->recs[r].meta, key);
	return n;
}

bool snapshot_needed(const struct registry *reg, const struct patch_meta *m,
		     const struct patch_meta *incoming)
{
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		const struct func_meta *f = &m->funcs[i];

		if (!meta_first_on_func(m, i) || meta_snap_mode(m, f->name) != BPFLP_SNAP_ON_DEMAND)
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

void snapshot_plan_replace(const struct registry *reg, const struct patch_meta *incoming, bool *plan)
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

void snapshot_plan_disable(const struct registry *reg, const struct patch_record *gone, bool *plan,
			   bool *refresh_take)
{
	const struct patch_meta *m = &gone->meta;
	int self = (int)(gone - reg->recs);

	plan[self] = snapshot_needed(reg, m, NULL);
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		__u64 key = m->funcs[i].key;
		int next;

		refresh_take[i] = false;
		if (!meta_first_on_func(m, i) || m->funcs[i].route == FUNC_ROUTE_COMPANION ||
		    newest_on(reg, key, NULL) != self)
			continue;
		/*
		 * Where it is the newest patch, the next one takes over: its take
		 * renews the entries calls of this transaction leave once the
		 * disabled patch is gone. Attached before the disabled patch's,
		 * it keeps the newest patch's take first; a take of it that is
		 * always on is attached again after it.
		 */
		next = newest_on(reg, key, gone);
		plan_add(plan, reg, next, m->funcs[i].name);
		refresh_take[i] = next >= 0 && plan[next] &&
				  meta_snap_mode(m, m->funcs[i].name) == BPFLP_SNAP_EXIT;
	}
}

/* Is funcs[i] the first of the record on an entry-only trampoline function? */
static bool on_demand_func(const struct patch_meta *m, __u32 i)
{
	return meta_first_on_func(m, i) &&
	       meta_snap_mode(m, m->funcs[i].name) == BPFLP_SNAP_ON_DEMAND;
}

/*
 * A take attached now, the newest program on func, even where one is
 * pinned already (a dead bpflp's, or one always on): a take must run
 * before the programs of the older patches there.
 */
static int attach_take(const char *dir, const char *func)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, "take_link");
	if (!err && unlink(pin) && errno != ENOENT)
		err = -errno;
	return err ?: attach_pinned(dir, func, "take_prog", "take_link", BPF_TRACE_FENTRY);
}

static int attach_drop_if_missing(const char *dir, const char *func)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, "drop_link");
	if (err || !access(pin, F_OK))
		return err;
	return attach_pinned(dir, func, "drop_prog", "drop_link", BPF_TRACE_FEXIT);
}

int snapshot_links_attach(struct commit_ctx *cc, const struct patch_record *rec)
{
	const struct patch_meta *m = &rec->meta;
	int err = 0;

	for (__u32 i = 0; i < m->nr_funcs && !err; i++)
		if (on_demand_func(m, i))
			err = attach_drop_if_missing(rec->dir, m->funcs[i].name);
	if (!err)
		err = snap_slot(cc, m->slot);
	for (__u32 i = 0; i < m->nr_funcs && !err; i++)
		if (on_demand_func(m, i))
			err = attach_take(rec->dir, m->funcs[i].name);
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

int snapshot_links_attach_plan(struct commit_ctx *cc, const struct registry *reg, const bool *plan)
{
	int err = 0;

	/* Oldest first: the newest patch's take is attached last, so it runs first. */
	for (int r = 0; r < reg->nr && !err; r++)
		if (plan[r])
			err = snapshot_links_attach(cc, &reg->recs[r]);
	return err;
}

int snapshot_refresh_take(const struct patch_record *rec, const char *func)
{
	int err = attach_take(rec->dir, func);

	if (err)
		p_err("cannot attach bpflp's take of %s@%u on %s again: %s", rec->meta.name,
		      rec->meta.version, func, strerror(-err));
	return err;
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
			pr_warn("bpflp: warning: cannot detach %s: %s\n", pin, strerror(errno));
}

void snapshot_links_settle(const struct registry *reg)
{
	for (int r = 0; r < reg->nr; r++) {
		/* The others' pins went with them (store_clear_dir). */
		if (reg->recs[r].dir_missing || reg->recs[r].meta.status != PATCH_ACTIVE)
			continue;
		/* Takes before drops: a take never stays without its drop. */
		unpin_all(&reg->recs[r], "take_link");
		unpin_all(&reg->recs[r], "drop_link");
	}
}
