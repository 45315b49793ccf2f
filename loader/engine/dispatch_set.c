// SPDX-License-Identifier: GPL-2.0
/*
 * The sides of the dispatch stubs, written before a commit and settled
 * after it (dispatch_set.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "dispatch_pins.h"
#include "dispatch_set.h"
#include "log.h"
#include "output.h"
#include "patch_object.h"
#include "pins.h"
#include "word_bits.h"

/* Tell sink what was found or mended (drift.h reports it); nothing without one. */
static void __attribute__((format(printf, 4, 5)))
note(const struct dispatch_sink *sink, const struct patch_meta *m, enum dispatch_fix fix,
     const char *fmt, ...)
{
	char text[384];
	va_list ap;

	if (!sink)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sink->note(sink->ctx, m, fix, text);
}

/* A patch of a set, and where its pins are. */
struct member {
	const struct patch_meta *m;
	const char *dir;
};

/* A program of a set's patch, in the set's index. */
struct set_entry {
	__u64 key;
	int member;
	__u32 func; /* in the member's record */
};

/*
 * Patches active together, oldest apply first (as the registry is
 * sorted), and their programs by function key, then member: every
 * question below is a binary search, so a set of N functions is planned
 * in O(N log N), not O(N^2) (N = 1000 in make bench).
 */
struct patch_set {
	struct member *v;
	int nr;
	struct set_entry *idx;
	int nr_idx;
};

static int by_key_member(const void *a, const void *b)
{
	const struct set_entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->member - y->member;
}

static void set_free(struct patch_set *s)
{
	free(s->v);
	free(s->idx);
	s->v = NULL;
	s->idx = NULL;
}

static int set_build(struct patch_set *s, const struct registry *reg, const struct patch_record *gone,
		     bool replaces_all, const struct patch_meta *incoming, const char *incoming_dir)
{
	int nr_funcs = incoming ? (int)incoming->nr_funcs : 0;

	*s = (struct patch_set){};
	for (int r = 0; r < reg->nr; r++)
		nr_funcs += (int)reg->recs[r].meta.nr_funcs;
	s->v = calloc(reg->nr + 1, sizeof(*s->v));
	s->idx = calloc(nr_funcs ?: 1, sizeof(*s->idx));
	if (!s->v || !s->idx) {
		set_free(s);
		return -ENOMEM;
	}
	for (int r = 0; r < reg->nr && !replaces_all; r++) {
		const struct patch_record *rec = &reg->recs[r];

		if (rec->meta.status == PATCH_ACTIVE && !rec->dir_missing && rec != gone)
			s->v[s->nr++] = (struct member){ &rec->meta, rec->dir };
	}
	if (incoming)
		s->v[s->nr++] = (struct member){ incoming, incoming_dir };
	for (int i = 0; i < s->nr; i++)
		for (__u32 f = 0; f < s->v[i].m->nr_funcs; f++)
			s->idx[s->nr_idx++] = (struct set_entry){ s->v[i].m->funcs[f].key, i, f };
	qsort(s->idx, s->nr_idx, sizeof(*s->idx), by_key_member);
	return 0;
}

/* The entries of key: [*lo, *hi) of s->idx, oldest member first. */
static void key_range(const struct patch_set *s, __u64 key, int *lo, int *hi)
{
	int l = 0, h = s->nr_idx;

	while (l < h) {
		int mid = l + (h - l) / 2;

		if (s->idx[mid].key < key)
			l = mid + 1;
		else
			h = mid;
	}
	*lo = l;
	for (h = l; h < s->nr_idx && s->idx[h].key == key; h++)
		;
	*hi = h;
}

static const struct func_meta *entry_func(const struct patch_set *s, const struct set_entry *e)
{
	return &s->v[e->member].m->funcs[e->func];
}

static bool is_modret(const struct func_meta *f)
{
	return f->kind == BPFLP_KIND_FMOD_RET || f->kind == BPFLP_KIND_REPLACE;
}

static bool set_dispatches(const struct patch_set *s, __u64 key)
{
	int lo, hi;

	key_range(s, key, &lo, &hi);
	for (int e = lo; e < hi; e++)
		if (entry_func(s, &s->idx[e])->route == FUNC_ROUTE_DISPATCH)
			return true;
	return false;
}

/* The newest patch of s with a program on key (the one that wins there), or -1. */
static int newest_on(const struct patch_set *s, __u64 key)
{
	int lo, hi;

	key_range(s, key, &lo, &hi);
	return lo < hi ? s->idx[hi - 1].member : -1;
}

/* The newest patch of s dispatching on key (whose record a finding about its stub names). */
static const struct patch_meta *owner_of(const struct patch_set *s, __u64 key)
{
	int lo, hi;

	key_range(s, key, &lo, &hi);
	for (int e = hi - 1; e >= lo; e--)
		if (entry_func(s, &s->idx[e])->route == FUNC_ROUTE_DISPATCH)
			return s->v[s->idx[e].member].m;
	return NULL;
}

/*
 * The program side holds for key in s: the newest patch on key wins; its
 * fmod_ret program if dispatched. *fd: the program, or -1 for an empty
 * entry. 0, or a negative errno when its pin cannot be opened.
 */
static int set_program(const struct patch_set *s, __u64 key, int *fd, const struct patch_meta **who)
{
	const struct func_meta *f = NULL;
	char pin[PATH_MAX];
	int lo, hi, newest;

	*fd = -1;
	key_range(s, key, &lo, &hi);
	if (lo == hi)
		return 0;
	newest = s->idx[hi - 1].member;
	for (int e = hi - 1; e >= lo && s->idx[e].member == newest && !f; e--)
		if (is_modret(entry_func(s, &s->idx[e])))
			f = entry_func(s, &s->idx[e]);
	if (!f || f->route != FUNC_ROUTE_DISPATCH)
		return 0; /* the newest patch there runs no dispatched program */
	*who = s->v[newest].m;
	if (store_pin_path(pin, sizeof(pin), s->v[newest].dir, f->name,
			   pin_of_kind(f->kind, false)->prog))
		return -ENAMETOOLONG;
	*fd = bpf_obj_get(pin);
	return *fd < 0 ? -errno : 0;
}

/* Keys: the stubs pinned and the functions s dispatches, each once, sorted. */
struct key_list {
	__u64 *v;
	int nr;
};

static int by_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static int keys_collect(struct key_list *k, const struct patch_set *s)
{
	int n = dispatch_pins_list(NULL, 0), nr = 0;

	if (n < 0)
		return n;
	k->v = calloc(n + s->nr_idx + 1, sizeof(*k->v));
	if (!k->v)
		return -ENOMEM;
	if (n > 0)
		n = dispatch_pins_list(k->v, n);
	nr = n > 0 ? n : 0;
	for (int e = 0; e < s->nr_idx; e++)
		if (entry_func(s, &s->idx[e])->route == FUNC_ROUTE_DISPATCH)
			k->v[nr++] = s->idx[e].key;
	qsort(k->v, nr, sizeof(*k->v), by_u64);
	k->nr = 0;
	for (int i = 0; i < nr; i++)
		if (!k->nr || k->v[k->nr - 1] != k->v[i])
			k->v[k->nr++] = k->v[i];
	return 0;
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/* A function's name in s, for messages (the key otherwise). */
static const char *func_name(const struct patch_set *s, __u64 key, char *buf, size_t size)
{
	int lo, hi;

	key_range(s, key, &lo, &hi);
	if (lo < hi)
		return entry_func(s, &s->idx[lo])->name;
	snprintf(buf, size, "the function of key %#llx", (unsigned long long)key);
	return buf;
}

/*
 * The stub of key, whole: made if it has no directory (*made; owner: the
 * record that says it has one, whose finding it is), or made again if a
 * pin of it was deleted by hand (a stub without its link is
 * detached, and an array without its pin has lost its entries: the
 * function already runs unpatched there). 0 or a negative errno.
 */
static int stub_ready(struct commit_ctx *cc, __u64 key, const char *func,
		      const struct patch_meta *owner, const struct dispatch_sink *done,
		      struct pinned_stub *ps, bool *made)
{
	int err = dispatch_pins_open(key, ps);

	*made = false;
	if (!err && dispatch_pins_whole(ps))
		return 0;
	if (owner && done)
		note(done, owner, DISPATCH_FIX_REATTACH,
		     "%s: attached bpflp's dispatch stub again (a pin of it was deleted)", func);
	else if (owner)
		pr_warn("warning: the dispatch stub of %s had a pin deleted by hand: attaching it again\n",
			func);
	if (!err) {
		dispatch_pins_close(ps);
		err = dispatch_pins_remove(key);
		if (err)
			return err;
	}
	*made = true;
	return dispatch_pins_create(key, cc->state_fd, cc->snap_fd, ps);
}

static int live_side(const struct registry *reg, __u64 word, __u32 *side)
{
	if (word_side(reg, word) < 0)
		return -EOPNOTSUPP;
	*side = (__u32)(word >> BPFLP_SIDE_BIT);
	return 0;
}

/* One function of a prepare: the stub ready, its live side kept, its next side written. */
static int prepare_one(struct commit_ctx *cc, const struct patch_set *pre,
		       const struct patch_set *post, __u64 key, __u32 live, const char *func)
{
	struct pinned_stub ps = { -1, -1, -1 };
	int now_fd = -1, next_fd = -1, err;
	const struct patch_meta *who = NULL;
	bool made;

	if (!set_dispatches(post, key) && dispatch_pins_open(key, &ps) == -ENOENT)
		return 0; /* nothing dispatched there before or after */
	dispatch_pins_close(&ps);
	err = set_program(post, key, &next_fd, &who);
	if (err) {
		p_err("cannot open the program %s@%u dispatches on %s (its pin is gone: 'bpflp status' says more): apply %s again to load it, then retry",
		      who->name, who->version, func, who->object);
		goto out;
	}
	err = stub_ready(cc, key, func, owner_of(pre, key), NULL, &ps, &made);
	if (err) {
		p_err("cannot attach bpflp's dispatch stub to %s: %s", func, strerror(-err));
		goto out;
	}
	/* A stub made now runs what runs there today; one lost with its pin, nothing. */
	if (made && !set_program(pre, key, &now_fd, &who))
		err = dispatch_entry_set(ps.array_fd, live, now_fd);
	err = err ?: dispatch_entry_set(ps.array_fd, !live, next_fd);
	if (err)
		p_err("cannot write the dispatch stub's program array of %s: %s", func,
		      strerror(-err));
out:
	if (now_fd >= 0)
		close(now_fd);
	if (next_fd >= 0)
		close(next_fd);
	dispatch_pins_close(&ps);
	return err;
}

int dispatch_prepare(struct commit_ctx *cc, const struct registry *reg,
		     const struct patch_record *gone, bool replaces_all,
		     const struct patch_meta *incoming, const char *incoming_dir, __u64 pre_word,
		     __u64 post_word)
{
	struct patch_set pre = {}, post = {};
	struct key_list keys = {};
	char buf[64];
	__u32 live = 0;
	int err;

	err = set_build(&pre, reg, NULL, false, NULL, NULL)                             ?:
		      set_build(&post, reg, gone, replaces_all, incoming, incoming_dir) ?:
		      keys_collect(&keys, &post);
	if (err)
		p_err("cannot plan the dispatch stubs: %s", strerror(-err));
	if (!err && keys.nr &&
	    (live_side(reg, pre_word, &live) || (post_word ^ pre_word) >> BPFLP_SIDE_BIT == 0)) {
		p_err("cannot dispatch: bit %d of the commit word is the slot of a patch an older bpflp applied, not the stubs' side; replace that patch first",
		      BPFLP_SIDE_BIT);
		err = -EOPNOTSUPP;
	}
	for (int i = 0; !err && i < keys.nr; i++)
		err = prepare_one(cc, &pre, &post, keys.v[i], live,
				  set_dispatches(&post, keys.v[i]) ?
					  func_name(&post, keys.v[i], buf, sizeof(buf)) :
					  func_name(&pre, keys.v[i], buf, sizeof(buf)));
	free(keys.v);
	set_free(&pre);
	set_free(&post);
	return err;
}

/* One function of a settle: detached if nothing dispatches there, else its sides as the records say. */
static void settle_one(struct commit_ctx *cc, const struct patch_set *s, __u64 key, __u32 live,
		       const char *func, const struct dispatch_sink *done)
{
	struct pinned_stub ps = { -1, -1, -1 };
	const struct patch_meta *who = NULL;
	int fd = -1, err;
	bool made;

	if (!set_dispatches(s, key)) {
		err = dispatch_pins_remove(key);
		if (err)
			pr_warn("warning: cannot detach bpflp's dispatch stub of %s: %s\n", func,
				strerror(-err));
		return;
	}
	err = set_program(s, key, &fd, &who) ?:
		      stub_ready(cc, key, func, owner_of(s, key), done, &ps, &made);
	if (!err && prog_id(fd) != dispatch_entry_id(ps.array_fd, live)) {
		if (!made && done)
			note(done, owner_of(s, key), DISPATCH_FIX_REATTACH,
			     "%s: set its dispatch stub to run what the records say again", func);
		else if (!made)
			pr_warn("warning: the dispatch stub of %s ran another program than the records say: set again\n",
				func);
		err = dispatch_entry_set(ps.array_fd, live, fd);
	}
	err = err ?: dispatch_entry_set(ps.array_fd, !live, -1);
	if (err && done)
		note(done, owner_of(s, key), DISPATCH_FIX_NONE,
		     "%s: cannot settle bpflp's dispatch stub: %s", func, strerror(-err));
	else if (err)
		pr_warn("warning: cannot settle bpflp's dispatch stub of %s: %s; see 'bpflp status'\n",
			func, strerror(-err));
	if (fd >= 0)
		close(fd);
	dispatch_pins_close(&ps);
}

void dispatch_settle(struct commit_ctx *cc, const struct registry *reg, __u64 word,
		     const struct dispatch_sink *done)
{
	struct patch_set s = {};
	struct key_list keys = {};
	char buf[64];
	__u32 live = 0;
	int err;

	err = set_build(&s, reg, NULL, false, NULL, NULL) ?: keys_collect(&keys, &s);
	if (!err && keys.nr)
		err = live_side(reg, word, &live);
	if (err)
		pr_warn("warning: cannot settle bpflp's dispatch stubs: %s\n", strerror(-err));
	for (int i = 0; !err && i < keys.nr; i++)
		settle_one(cc, &s, keys.v[i], live, func_name(&s, keys.v[i], buf, sizeof(buf)), done);
	free(keys.v);
	set_free(&s);
}

/* Is key dispatched by an active record whose directory was deleted (drift names that)? */
static bool dispatched_by_lost_dir(const struct registry *reg, __u64 key)
{
	for (int r = 0; r < reg->nr; r++)
		for (__u32 f = 0;
		     reg->recs[r].dir_missing && reg->recs[r].meta.status == PATCH_ACTIVE &&
		     f < reg->recs[r].meta.nr_funcs;
		     f++)
			if (reg->recs[r].meta.funcs[f].key == key &&
			    reg->recs[r].meta.funcs[f].route == FUNC_ROUTE_DISPATCH)
				return true;
	return false;
}

/* One stub a record needs: whole, and running the newest record's program there. */
static void scan_one(const struct patch_set *s, __u64 key, __u32 live, const char *func,
		     const struct dispatch_sink *rep)
{
	const struct patch_meta *owner = owner_of(s, key);
	const struct patch_meta *who = NULL;
	struct pinned_stub ps;
	int fd = -1;

	if (dispatch_pins_open(key, &ps)) {
		note(rep, owner, DISPATCH_FIX_REATTACH,
		     "%s: bpflp's dispatch stub there is gone (its directory was deleted), so %s runs unpatched",
		     func, func);
		return;
	}
	if (!dispatch_pins_whole(&ps))
		note(rep, owner, DISPATCH_FIX_REATTACH,
		     "%s: bpflp's dispatch stub lost its %s pin%s", func,
		     ps.link_fd < 0  ? "link" :
		     ps.array_fd < 0 ? "array" :
				       "prog",
		     ps.link_fd < 0 || ps.array_fd < 0 ? ", so the function runs unpatched" : "");
	else if (!set_program(s, key, &fd, &who) &&
		 prog_id(fd) != dispatch_entry_id(ps.array_fd, live))
		note(rep, owner, DISPATCH_FIX_REATTACH,
		     "%s: bpflp's dispatch stub runs another program than the records say", func);
	if (fd >= 0)
		close(fd);
	dispatch_pins_close(&ps);
}

void dispatch_scan(const struct registry *reg, __u64 word, const struct dispatch_sink *rep)
{
	struct patch_set s = {};
	struct key_list keys = {};
	char buf[64];
	__u32 live = 0;

	if (set_build(&s, reg, NULL, false, NULL, NULL) || keys_collect(&keys, &s) ||
	    (keys.nr && live_side(reg, word, &live)))
		keys.nr = 0;
	for (int i = 0; i < keys.nr; i++) {
		const char *func = func_name(&s, keys.v[i], buf, sizeof(buf));

		if (set_dispatches(&s, keys.v[i]))
			scan_one(&s, keys.v[i], live, func, rep);
		else if (!dispatched_by_lost_dir(reg, keys.v[i]))
			note(rep, NULL, DISPATCH_FIX_DETACH,
			     "%s: bpflp's dispatch stub there runs for no active patch", func);
	}
	free(keys.v);
	set_free(&s);
}

/*
 * The program rec dispatches on funcs[f] if its stub runs it: rec is the
 * newest active patch on the function, and the stub's live side holds a
 * program (settle keeps it the newest patch's). Its fd, or -1.
 */
static int stub_running(const struct registry *reg, const struct patch_record *rec, __u32 f,
			__u64 word)
{
	__u64 key = rec->meta.funcs[f].key;
	struct patch_set s = {};
	struct pinned_stub ps;
	__u32 live, id = 0;
	int i, fd = -1;

	if (set_build(&s, reg, NULL, false, NULL, NULL) || live_side(reg, word, &live))
		goto out;
	i = newest_on(&s, key);
	if (i < 0 || s.v[i].m != &rec->meta || dispatch_pins_open(key, &ps))
		goto out;
	if (ps.array_fd >= 0)
		id = dispatch_entry_id(ps.array_fd, live);
	dispatch_pins_close(&ps);
	fd = id ? bpf_prog_get_fd_by_id(id) : -1;
out:
	set_free(&s);
	return fd;
}

bool dispatch_runs(const struct registry *reg, const struct patch_record *rec, const char *func,
		   __u64 word)
{
	for (__u32 f = 0; f < rec->meta.nr_funcs; f++) {
		int fd;

		if (strcmp(rec->meta.funcs[f].name, func) ||
		    rec->meta.funcs[f].route != FUNC_ROUTE_DISPATCH)
			continue;
		fd = stub_running(reg, rec, f, word);
		if (fd >= 0)
			close(fd);
		return fd >= 0;
	}
	return false;
}

int dispatch_repin(const struct registry *reg, const struct dispatch_sink *rep)
{
	char pin[PATH_MAX];
	__u64 word;
	int done = 0;

	if (store_read_commit_word(&word))
		return 0;
	for (int r = 0; r < reg->nr; r++) {
		const struct patch_record *rec = &reg->recs[r];
		const struct patch_meta *m = &rec->meta;

		for (__u32 f = 0; m->status == PATCH_ACTIVE && !rec->dir_missing && f < m->nr_funcs;
		     f++) {
			int fd;

			if (m->funcs[f].route != FUNC_ROUTE_DISPATCH ||
			    store_pin_path(pin, sizeof(pin), rec->dir, m->funcs[f].name,
					   pin_of_kind(m->funcs[f].kind, false)->prog) ||
			    !access(pin, F_OK))
				continue;
			fd = stub_running(reg, rec, f, word);
			if (fd < 0)
				continue; /* gone with its pin: drift says to apply it again */
			if (!bpf_obj_pin(fd, pin)) {
				done++;
				note(rep, m, DISPATCH_FIX_REPIN,
				     "%s: pinned the %s program again from its dispatch stub",
				     m->funcs[f].name, bpflp_kind_name(m->funcs[f].kind));
			}
			close(fd);
		}
	}
	return done;
}

bool dispatch_in_record(const struct patch_meta *m)
{
	for (__u32 f = 0; f < m->nr_funcs; f++)
		if (m->funcs[f].route == FUNC_ROUTE_DISPATCH)
			return true;
	return false;
}
