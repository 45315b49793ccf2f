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

/* Is funcs[i] the first of rec on an entry-only trampoline function? */
static bool on_demand_func(const struct patch_meta *m, __u32 i)
{
	return meta_first_on_func(m, i) &&
	       meta_snap_mode(m, m->funcs[i].name) == BPFLP_SNAP_ON_DEMAND;
}

static int attach_if_missing(const char *dir, const char *func, const char *prog_what,
			     const char *link_what, enum bpf_attach_type type)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, link_what);
	if (err || !access(pin, F_OK))
		return err;
	return attach_pinned(dir, func, prog_what, link_what, type);
}

int snapshot_links_attach(struct commit_ctx *cc, const struct patch_record *rec)
{
	const struct patch_meta *m = &rec->meta;
	int err = 0;

	for (__u32 i = 0; i < m->nr_funcs && !err; i++)
		if (on_demand_func(m, i))
			err = attach_if_missing(rec->dir, m->funcs[i].name, "drop_prog",
						"drop_link", BPF_TRACE_FEXIT);
	if (!err)
		err = snap_slot(cc, m->slot);
	for (__u32 i = 0; i < m->nr_funcs && !err; i++)
		if (on_demand_func(m, i))
			err = attach_if_missing(rec->dir, m->funcs[i].name, "take_prog",
						"take_link", BPF_TRACE_FENTRY);
	if (err)
		p_err("cannot attach bpflp's snapshot programs of %s@%u for this transaction: %s",
		      m->name, m->version, strerror(-err));
	else
		fault_point("snapshot-on");
	return err;
}

static void unpin_all(const struct patch_record *rec, const char *link_what)
{
	const struct patch_meta *m = &rec->meta;
	char pin[PATH_MAX];

	for (__u32 i = 0; i < m->nr_funcs; i++)
		if (on_demand_func(m, i) &&
		    !store_pin_path(pin, sizeof(pin), rec->dir, m->funcs[i].name, link_what) &&
		    unlink(pin) && errno != ENOENT)
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
