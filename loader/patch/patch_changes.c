// SPDX-License-Identifier: GPL-2.0
/*
 * Changes of a replace (patch_changes.h). The R entries of the active
 * patches are sorted by function once, newest patch first, so a patch of N
 * functions is compared in O((N + R) log R), not O(N R).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fingerprints.h"
#include "output.h"
#include "patch_changes.h"

/* An entry of an active patch: a program that may run today. */
struct running {
	const char *func;
	__u32 kind;
	int rec; /* index in the registry: larger is newer */
	__u32 idx;
};

struct compare_ctx {
	const struct registry *reg;
	struct running *run;
	int nr_run;
	struct patch_fingerprints **fps; /* per record, read when first needed */
	int *fps_err;
};

const char *prog_change_name(enum prog_change change)
{
	static const char *const names[] = { "new", "changed", "unchanged" };

	return change <= PROG_UNCHANGED ? names[change] : "?";
}

/* By function, then newest patch first. */
static int by_func_newest(const void *a, const void *b)
{
	const struct running *x = a, *y = b;
	int c = strcmp(x->func, y->func);

	return c ?: (x->rec > y->rec ? -1 : x->rec < y->rec);
}

/* Active, with its pins: a patch whose directory was deleted by hand runs nothing. */
static bool runs(const struct patch_record *rec)
{
	return rec->meta.status == PATCH_ACTIVE && !rec->dir_missing;
}

static int collect_running(struct compare_ctx *cx)
{
	const struct registry *reg = cx->reg;
	int n = 0;

	for (int r = 0; r < reg->nr; r++)
		if (runs(&reg->recs[r]))
			n += (int)reg->recs[r].meta.nr_funcs;
	cx->run = calloc(n ?: 1, sizeof(*cx->run));
	cx->fps = calloc(reg->nr ?: 1, sizeof(*cx->fps));
	cx->fps_err = calloc(reg->nr ?: 1, sizeof(*cx->fps_err));
	if (!cx->run || !cx->fps || !cx->fps_err)
		return -ENOMEM;
	for (int r = 0; r < reg->nr; r++) {
		const struct patch_meta *m = &reg->recs[r].meta;

		if (!runs(&reg->recs[r]))
			continue;
		for (__u32 j = 0; j < m->nr_funcs; j++)
			cx->run[cx->nr_run++] = (struct running){
				.func = m->funcs[j].name, .kind = m->funcs[j].kind, .rec = r, .idx = j
			};
	}
	qsort(cx->run, cx->nr_run, sizeof(*cx->run), by_func_newest);
	return 0;
}

/* The first entry on func: its patch is the newest covering func. */
static const struct running *newest_on(const struct compare_ctx *cx, const char *func)
{
	int lo = 0, hi = cx->nr_run;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (strcmp(cx->run[mid].func, func) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < cx->nr_run && !strcmp(cx->run[lo].func, func) ? &cx->run[lo] : NULL;
}

/* The program of that patch on func of this kind, or NULL. */
static const struct running *running_kind(const struct compare_ctx *cx, const struct running *first,
					  __u32 kind)
{
	for (const struct running *e = first;
	     e < cx->run + cx->nr_run && e->rec == first->rec && !strcmp(e->func, first->func); e++)
		if (e->kind == kind)
			return e;
	return NULL;
}

static const struct patch_fingerprints *record_fingerprints(struct compare_ctx *cx, int rec)
{
	if (!cx->fps[rec] && !cx->fps_err[rec]) {
		cx->fps[rec] = malloc(sizeof(*cx->fps[rec]));
		cx->fps_err[rec] = cx->fps[rec] ?
					   fingerprints_read(cx->reg->recs[rec].dir, cx->fps[rec]) :
					   -ENOMEM;
		if (!cx->fps_err[rec] && cx->fps[rec]->nr != cx->reg->recs[rec].meta.nr_funcs)
			cx->fps_err[rec] = -EPROTO;
	}
	return cx->fps_err[rec] ? NULL : cx->fps[rec];
}

static void compare_prog(struct compare_ctx *cx, const struct patch_prog *pp,
			 struct prog_change_info *out)
{
	const struct running *first = newest_on(cx, pp->func), *e;
	const struct patch_fingerprints *fps;
	const struct patch_meta *m;

	out->change = PROG_NEW;
	out->why = "";
	if (!first) {
		out->why = "no active patch covers the function";
		return;
	}
	m = &cx->reg->recs[first->rec].meta;
	snprintf(out->running, sizeof(out->running), "%s@%u", m->name, m->version);
	e = running_kind(cx, first, pp->kind);
	if (!e) {
		out->why = "the newest patch on the function has no program of this kind there";
		return;
	}
	out->change = PROG_CHANGED;
	out->running_rec = e->rec;
	out->running_idx = e->idx;
	fps = record_fingerprints(cx, e->rec);
	if (!fps)
		out->why =
			cx->fps_err[e->rec] == -ENOENT ?
				"the running patch has no fingerprints record (applied by an older bpflp, or the pin was deleted)" :
				"the running patch's fingerprints cannot be read";
	else if (m->funcs[e->idx].key != pp->func_key)
		out->why = "the function is another one now (its BTF id or module changed)";
	else if ((fps->progs[e->idx].flags | pp->fingerprint.flags) & PROG_FP_UNKNOWN)
		out->why = "bpflp could not fingerprint it or the running one (-v says why)";
	else if ((fps->progs[e->idx].flags | pp->fingerprint.flags) & PROG_FP_PRIVATE_STATE)
		out->why =
			"it keeps state of its own (writable data or a private map), which a kept program would not hand over";
	else if (!prog_fingerprint_same(&fps->progs[e->idx], &pp->fingerprint))
		out->why = "its code, or the data, maps or CO-RE records it uses, differ";
	else
		out->change = PROG_UNCHANGED;
}

/* po's programs by function and kind, to find what it drops in log time each. */
static int by_func_kind(const void *a, const void *b, void *ctx)
{
	const struct patch_object *po = ctx;
	const struct patch_prog *x = &po->progs[*(const int *)a], *y = &po->progs[*(const int *)b];
	int c = strcmp(x->func, y->func);

	return c ?: (x->kind > y->kind) - (x->kind < y->kind);
}

static bool object_has(const struct patch_object *po, const int *sorted, const char *func, __u32 kind)
{
	int lo = 0, hi = po->nr_progs;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		const struct patch_prog *pp = &po->progs[sorted[mid]];
		int c = strcmp(pp->func, func) ?: (pp->kind > kind) - (pp->kind < kind);

		if (!c)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int collect_dropped(struct compare_ctx *cx, const struct patch_object *po,
			   struct patch_changes *out)
{
	int *sorted = calloc(po->nr_progs ?: 1, sizeof(*sorted));

	out->dropped = calloc(cx->nr_run ?: 1, sizeof(*out->dropped));
	if (!sorted || !out->dropped) {
		free(sorted);
		return -ENOMEM;
	}
	for (int i = 0; i < po->nr_progs; i++)
		sorted[i] = i;
	qsort_r(sorted, po->nr_progs, sizeof(*sorted), by_func_kind, (void *)po);
	for (int i = 0; i < cx->nr_run; i++) {
		const struct running *e = &cx->run[i];
		const struct patch_meta *m = &cx->reg->recs[e->rec].meta;
		struct prog_dropped *d;

		/* Only the newest patch on a function runs there. */
		if (e->rec != newest_on(cx, e->func)->rec || object_has(po, sorted, e->func, e->kind))
			continue;
		d = &out->dropped[out->nr_dropped++];
		snprintf(d->func, sizeof(d->func), "%s", e->func);
		d->kind = e->kind;
		snprintf(d->running, sizeof(d->running), "%s@%u", m->name, m->version);
	}
	free(sorted);
	return 0;
}

int patch_changes_compute(const struct patch_object *po, const struct registry *reg,
			  struct patch_changes *out)
{
	struct compare_ctx cx = { .reg = reg };
	int err;

	memset(out, 0, sizeof(*out));
	err = collect_running(&cx);
	for (int i = 0; i < po->nr_progs && !err; i++) {
		compare_prog(&cx, &po->progs[i], &out->progs[i]);
		out->nr_new += out->progs[i].change == PROG_NEW;
		out->nr_changed += out->progs[i].change == PROG_CHANGED;
		out->nr_unchanged += out->progs[i].change == PROG_UNCHANGED;
	}
	if (!err)
		err = collect_dropped(&cx, po, out);
	for (int r = 0; r < reg->nr && cx.fps; r++)
		free(cx.fps[r]);
	free(cx.fps);
	free(cx.fps_err);
	free(cx.run);
	if (err) {
		p_err("cannot compare %s with the active patches: %s", po->path, strerror(-err));
		patch_changes_free(out);
	}
	return err;
}

void patch_changes_free(struct patch_changes *c)
{
	free(c->dropped);
	c->dropped = NULL;
	c->nr_dropped = 0;
}
