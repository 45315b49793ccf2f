// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "bpflp/companion.h"
#include "commit.h"
#include "companion_attach.h"
#include "companion_kmod.h"
#include "declared.h"
#include "drift.h"
#include "kmod_util.h"
#include "patch_object.h"
#include "pinned_link.h"
#include "pinned_maps.h"
#include "pins.h"
#include "prog_maps.h"
#include "shadow.h"
#include "snapshot_links.h"
#include "stage.h"
#include "util.h"
#include "word_bits.h"

#define FTRACE_ENABLED "/proc/sys/kernel/ftrace_enabled"

static const char *const fix_names[] = {
	[DRIFT_REPIN] = "repin",   [DRIFT_REATTACH] = "reattach", [DRIFT_REAPPLY] = "reapply",
	[DRIFT_RECORD] = "record", [DRIFT_NONE] = "none",         [DRIFT_DETACH] = "detach",
};

const char *drift_fix_name(enum drift_fix fix)
{
	return fix <= DRIFT_DETACH ? fix_names[fix] : "unknown";
}

void drift_add(struct drift_report *rep, const struct patch_meta *m, enum drift_fix fix,
	       const char *fmt, ...)
{
	struct drift *d;
	va_list ap;

	if (!rep)
		return;
	if (rep->nr == DRIFT_MAX) {
		rep->nr_lost++;
		return;
	}
	d = &rep->items[rep->nr++];
	d->fix = fix;
	d->patch[0] = '\0';
	if (m)
		snprintf(d->patch, sizeof(d->patch), "%s@%u", m->name, m->version);
	va_start(ap, fmt);
	vsnprintf(d->problem, sizeof(d->problem), fmt, ap);
	va_end(ap);
}

static bool pin_exists(const char *dir, const char *func, const char *what)
{
	char pin[PATH_MAX];

	return !store_pin_path(pin, sizeof(pin), dir, func, what) && !access(pin, F_OK);
}

/* The pieces a patch attaches on one function, in attach order (pins.h). */
struct piece {
	const char *prog_what;
	const char *link_what;
	enum bpf_attach_type type;
	const char *label;
	bool companion; /* no link: the companion module runs prog_what (and drop_prog) */
	bool transient; /* linked only during a transaction (snapshot_links.h) */
	bool snapshot;  /* bpflp's take or drop: recover can load it from the record */
};

#define MAX_PIECES (BPFLP_KIND_REPLACE + 3) /* one program per kind, a take and a drop */

static struct piece piece_of(const struct pin_piece *pin, bool transient)
{
	return (struct piece){ .prog_what = pin->prog,
			       .link_what = pin->link,
			       .type = pin->type,
			       .label = pin->label,
			       .companion = !pin->link,
			       .transient = transient,
			       .snapshot = pin->snapshot };
}

/* What a record pins and links on the function of its entry at. */
static int func_pieces(const struct patch_meta *m, __u32 at, struct piece *pieces)
{
	enum bpflp_snap_mode mode = meta_snap_mode_at(m, at);
	bool transient = mode == BPFLP_SNAP_ON_DEMAND;
	int n = 0;

	if (mode == BPFLP_SNAP_COMPANION) {
		pieces[0] = piece_of(pin_of_kind(BPFLP_KIND_REPLACE, true), false);
		return 1; /* alone on its function (check_companion_alone) */
	}
	/* A dispatched function's take and drop are loaded only when a transaction needs them. */
	bool snapshot = !meta_dispatches_at(m, at);
	__u32 on[MAX_PIECES], nr_on = 0;

	/* The entries on the function, in one pass over the record: it has N. */
	for (__u32 i = 0; i < m->nr_funcs && nr_on < MAX_PIECES; i++)
		if (meta_same_func(m, i, at))
			on[nr_on++] = i;
	for (int rank = PIN_RANK_DROP; rank <= PIN_RANK_OTHERS; rank++) {
		if (rank == (int)pin_drop.rank && snapshot)
			pieces[n++] = piece_of(&pin_drop, transient);
		if (rank == (int)pin_take.rank && snapshot)
			pieces[n++] = piece_of(&pin_take, transient);
		for (__u32 o = 0; o < nr_on; o++) {
			__u32 i = on[o];
			const struct pin_piece *pin = pin_of_kind(m->funcs[i].kind, false);

			if (!pin || (int)pin->rank != rank)
				continue;
			/*
			 * One program per kind: meta_valid() records cannot have
			 * more. A dispatched one has no link (the function's stub
			 * runs it): whole with its pin, never attached again.
			 */
			if (n < MAX_PIECES)
				pieces[n++] = piece_of(pin, m->funcs[i].route == FUNC_ROUTE_DISPATCH);
		}
	}
	return n;
}

/*
 * The module's attachment of a record's companion-route program on func:
 * the one whose program uses the record's stats map (a pin deleted by hand
 * does not hide it). 1 and the ids, or 0.
 */
static int companion_attachment(const char *dir, const char *func, __u32 *prog_id, __u32 *drop_id)
{
	static struct companion_entry entries[BPFLP_COMPANION_MAX_ATTACH];
	struct bpf_map_info stats = {};
	__u32 len = sizeof(stats);
	char pin[PATH_MAX];
	int fd, nr;

	fd = store_pin_path(pin, sizeof(pin), dir, NULL, "stats") ?: bpf_obj_get(pin);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &stats, &len))
		stats.id = 0;
	close(fd);
	nr = companion_list(entries, BPFLP_COMPANION_MAX_ATTACH);
	for (int i = 0; i < nr && stats.id; i++) {
		bool uses_stats;

		if (strcmp(entries[i].func, func))
			continue;
		fd = bpf_prog_get_fd_by_id(entries[i].prog_id);
		if (fd < 0)
			continue;
		uses_stats = prog_uses_map(fd, stats.id);
		close(fd);
		if (uses_stats) {
			*prog_id = entries[i].prog_id;
			*drop_id = entries[i].drop_id;
			return 1;
		}
	}
	return 0;
}

/* Does the piece run: its link is pinned, or the module holds it? */
static bool piece_attached(const char *dir, const char *func, const struct piece *piece)
{
	__u32 prog_id, drop_id;

	if (piece->companion)
		return companion_attachment(dir, func, &prog_id, &drop_id);
	/* Between transactions a transient piece is whole with its program pinned. */
	return pin_exists(dir, func, piece->link_what) ||
	       (piece->transient && pin_exists(dir, func, piece->prog_what));
}

/* Are the piece's program pins there (a companion piece has its drop's too)? */
static bool piece_pinned(const char *dir, const char *func, const struct piece *piece)
{
	return pin_exists(dir, func, piece->prog_what) &&
	       (!piece->companion || pin_exists(dir, func, pin_drop.prog));
}

static void scan_active(const struct registry *reg, const struct patch_record *rec, __u64 word,
			struct drift_report *rep)
{
	const struct patch_meta *m = &rec->meta;
	struct piece pieces[MAX_PIECES];

	if (!(word & (1ULL << m->slot)))
		drift_add(rep, m, DRIFT_RECORD,
			  "recorded active in slot %u, but the commit word does not enable that slot, so its gates are shut",
			  m->slot);
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		const char *func = m->funcs[i].name;
		int n;

		if (!meta_first_on_func(m, i))
			continue;
		n = func_pieces(m, i, pieces);
		for (int p = 0; p < n; p++) {
			bool link = piece_attached(rec->dir, func, &pieces[p]);
			bool prog = piece_pinned(rec->dir, func, &pieces[p]);

			/* A dispatched program has no link: its stub may still hold it. */
			if (!prog && !pieces[p].snapshot && meta_dispatches_at(m, i)) {
				if (dispatch_runs(reg, rec, func, word))
					drift_add(rep, m, DRIFT_REPIN,
						  "%s: the %s program pin is gone (its dispatch stub still runs it)",
						  func, pieces[p].label);
				else
					drift_add(rep, m, DRIFT_REAPPLY,
						  "%s: the %s program is gone with its pin: apply %s again",
						  func, pieces[p].label, m->object);
				continue;
			}
			if (link && !prog)
				drift_add(rep, m, DRIFT_REPIN,
					  "%s: the %s program pin is gone (%s still holds it)",
					  func, pieces[p].label,
					  pieces[p].companion ? "the companion module" : "its link");
			else if (!link && prog)
				drift_add(rep, m, DRIFT_REATTACH,
					  "%s: the %s link is gone, so %s is not fully patched",
					  func, pieces[p].label, func);
			else if (!link && pieces[p].snapshot)
				drift_add(rep, m, DRIFT_REATTACH,
					  "%s: the %s program is gone; bpflp can load it again from the record",
					  func, pieces[p].label);
			else if (!link)
				drift_add(rep, m, DRIFT_REAPPLY,
					  "%s: the %s link and its program are gone: apply %s again",
					  func, pieces[p].label, m->object);
		}
	}
}

static bool is_recorded_dir(const struct registry *reg, const char *dir)
{
	for (int i = 0; i < reg->nr; i++)
		if (!strcmp(reg->recs[i].dir, dir))
			return true;
	return false;
}

/* Directories under patches/ with pins but no record: returns how many. */
static int scan_orphans(const struct registry *reg, struct drift_report *rep)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int orphans = 0;
	DIR *d = opendir(STORE_PATCHES);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		int pins = 0;
		DIR *sub;

		if (de->d_name[0] == '.' ||
		    try_snprintf(dir, sizeof(dir), "%s/%s", STORE_PATCHES, de->d_name) ||
		    is_recorded_dir(reg, dir))
			continue;
		sub = opendir(dir);
		if (!sub)
			continue;
		while (readdir(sub))
			pins++;
		closedir(sub);
		if (pins <= 2)
			continue; /* only . and .. */
		orphans++;
		drift_add(rep, NULL, DRIFT_NONE,
			  "%s holds %d pins but no record (both record pins were deleted): bpflp cannot tell what it is; 'rm -rf %s' detaches it, then run 'bpflp recover'",
			  dir, pins - 2, dir);
	}
	closedir(d);
	return orphans;
}

/* Is prog_id a companion-route program of some record (pinned, or found by its stats map)? */
static bool pinned_by_a_record(const struct registry *reg, __u32 prog_id)
{
	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];

		for (__u32 f = 0; f < rec->meta.nr_funcs && !rec->dir_missing; f++) {
			char pin[PATH_MAX];
			__u32 id;

			if (rec->meta.funcs[f].route == FUNC_ROUTE_COMPANION &&
			    !store_pin_path(pin, sizeof(pin), rec->dir, rec->meta.funcs[f].name,
					    pin_of_kind(BPFLP_KIND_REPLACE, true)->prog) &&
			    !pinned_prog_id(pin, &id) && id == prog_id)
				return true;
		}
		for (__u32 f = 0; f < rec->meta.nr_funcs && !rec->dir_missing; f++) {
			__u32 id, drop_id;

			if (rec->meta.funcs[f].route == FUNC_ROUTE_COMPANION &&
			    companion_attachment(rec->dir, rec->meta.funcs[f].name, &id, &drop_id) &&
			    id == prog_id)
				return true;
		}
	}
	return false;
}

/* The module's attachments no record pins, into ids; returns how many. */
static int companion_orphans(const struct registry *reg, __u32 *ids, int max)
{
	static struct companion_entry entries[BPFLP_COMPANION_MAX_ATTACH];
	int nr = companion_list(entries, BPFLP_COMPANION_MAX_ATTACH), n = 0;

	for (int i = 0; i < nr && n < max; i++)
		if (!pinned_by_a_record(reg, entries[i].prog_id))
			ids[n++] = entries[i].prog_id;
	return n;
}

static void scan_companion_orphans(const struct registry *reg, struct drift_report *rep)
{
	static __u32 ids[BPFLP_COMPANION_MAX_ATTACH];
	int nr = companion_orphans(reg, ids, BPFLP_COMPANION_MAX_ATTACH);

	for (int i = 0; i < nr; i++)
		drift_add(rep, NULL, DRIFT_DETACH,
			  "the companion module runs program %u, which no record pins: the next transaction detaches it",
			  ids[i]);
}

/*
 * sysctl kernel.ftrace_enabled=0 takes every ftrace call site out of the
 * kernel, the trampolines' and the companion module's hooks included,
 * while every link and pin stays: nothing bpflp applied is in effect, and
 * only the operator can turn it back on.
 */
static void scan_ftrace(const struct registry *reg, struct drift_report *rep)
{
	char line[16];

	if (!registry_active_mask(reg) || read_first_line(FTRACE_ENABLED, line, sizeof(line)) ||
	    strcmp(line, "0"))
		return;
	drift_add(rep, NULL, DRIFT_NONE,
		  "ftrace is off (kernel.ftrace_enabled=0): no trampoline or companion hook runs, so no active patch is in effect; turn it back on with 'sysctl kernel.ftrace_enabled=1'");
}

static bool shadow_seen(char (*seen)[BPFLP_NAME_MAX + 1], int nr, const char *name)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(seen[i], name))
			return true;
	return false;
}

/*
 * A shadow an active patch declares whose pin is gone (rm shadow/NAME): the
 * patch's programs still hold the map, but the next patch would not find
 * it and would start empty. Every transaction pins it again
 * (shadow_repin()); said once per shadow, for the first patch declaring it.
 */
static void scan_shadows(const struct registry *reg, struct drift_report *rep)
{
	static char seen[BPFLP_MAX_SHADOWS * BPFLP_MAX_SLOTS][BPFLP_NAME_MAX + 1];
	struct patch_declared decl;
	char pin[PATH_MAX];
	int nr_seen = 0;

	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];

		if (rec->meta.status != PATCH_ACTIVE || rec->dir_missing ||
		    declared_read(rec->dir, &decl))
			continue;
		for (__u32 j = 0; j < decl.nr_shadows; j++) {
			const char *name = decl.shadows[j].name;
			int fd;

			if (shadow_seen(seen, nr_seen, name) ||
			    try_snprintf(pin, sizeof(pin), "%s/%s", SHADOW_DIR, name) ||
			    !access(pin, F_OK))
				continue;
			if (nr_seen < (int)ARRAY_SIZE(seen))
				snprintf(seen[nr_seen++], sizeof(seen[0]), "%s", name);
			fd = shadow_find_map(rec->dir, &decl.shadows[j]);
			if (fd >= 0) {
				close(fd);
				drift_add(rep, &rec->meta, DRIFT_REPIN,
					  "shadow %s: its pin %s is gone (the patch's programs still hold the map, entries included)",
					  name, pin);
			} else if (fd == -EEXIST) {
				drift_add(rep, &rec->meta, DRIFT_NONE,
					  "shadow %s: its pin %s is gone and two maps of the patch could be it: pin the right one there by hand (bpftool map pin id ID %s)",
					  name, pin, pin);
			} else {
				drift_add(rep, &rec->meta, DRIFT_REAPPLY,
					  "shadow %s: its pin %s is gone and no pinned program of the patch holds the map: apply %s again (the shadow starts empty)",
					  name, pin, rec->meta.object);
			}
		}
	}
}

static void note_dispatch(void *ctx, const struct patch_meta *m, enum dispatch_fix fix,
			  const char *text)
{
	static const enum drift_fix fixes[] = {
		[DISPATCH_FIX_REPIN] = DRIFT_REPIN,
		[DISPATCH_FIX_REATTACH] = DRIFT_REATTACH,
		[DISPATCH_FIX_DETACH] = DRIFT_DETACH,
		[DISPATCH_FIX_NONE] = DRIFT_NONE,
	};

	drift_add(ctx, m, fixes[fix], "%s", text);
}

struct dispatch_sink drift_dispatch_sink(struct drift_report *rep)
{
	return (struct dispatch_sink){ .note = note_dispatch, .ctx = rep };
}

void drift_scan(const struct registry *reg, __u64 word, struct drift_report *rep)
{
	__u64 recorded = registry_active_mask(reg), unrecorded;
	char pin[PATH_MAX];
	int orphans;

	memset(rep, 0, sizeof(*rep));
	scan_ftrace(reg, rep);
	for (int i = 0; recorded && i < STORE_NR_SHARED_MAPS; i++) {
		store_shared_map_pin(pin, i);
		if (access(pin, F_OK))
			drift_add(rep, NULL, DRIFT_REPIN,
				  "shared map %s is gone while patches are active: pinned again from their programs",
				  pin);
	}
	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];
		bool active = rec->meta.status == PATCH_ACTIVE;

		if (rec->dir_missing) {
			if (active && dispatch_in_record(&rec->meta))
				drift_add(rep, &rec->meta, DRIFT_RECORD,
					  "its directory %s was deleted, which detached its links; its dispatched programs run until 'bpflp recover' records it disabled and detaches them",
					  rec->dir);
			else if (active)
				drift_add(rep, &rec->meta, DRIFT_RECORD,
					  "its directory %s was deleted, which detached every program: recorded active, but nothing of it is attached",
					  rec->dir);
			else
				drift_add(rep, &rec->meta, DRIFT_REPIN,
					  "its directory %s was deleted: its record is restored from %s",
					  rec->dir, STORE_RECORDS);
			continue;
		}
		if (rec->meta_pin_missing)
			drift_add(rep, &rec->meta, DRIFT_REPIN, "record pin %s/meta is gone",
				  rec->dir);
		if (rec->copy_pin_missing)
			drift_add(rep, &rec->meta, DRIFT_REPIN, "record copy in %s is gone",
				  STORE_RECORDS);
		if (active)
			scan_active(reg, rec, word, rep);
	}
	scan_shadows(reg, rep);
	struct dispatch_sink sink = drift_dispatch_sink(rep);

	dispatch_scan(reg, word, &sink);
	orphans = scan_orphans(reg, rep);
	scan_companion_orphans(reg, rep);
	unrecorded = word_slots(reg, word) & ~recorded;
	for (int s = 0; unrecorded && s < BPFLP_MAX_SLOTS; s++)
		if (unrecorded & (1ULL << s))
			drift_add(rep, NULL, orphans ? DRIFT_NONE : DRIFT_RECORD,
				  "the commit word enables slot %d, which no active record holds%s",
				  s, orphans ? " (see the directory without a record)" : "");
}

int drift_detach_orphans(const struct registry *reg, struct drift_report *rep)
{
	static __u32 ids[BPFLP_COMPANION_MAX_ATTACH];
	int nr = companion_orphans(reg, ids, BPFLP_COMPANION_MAX_ATTACH), err = 0;

	for (int i = 0; i < nr; i++) {
		int e = companion_detach_id(ids[i]);

		if (!e)
			drift_add(rep, NULL, DRIFT_DETACH,
				  "detached program %u from the companion module: no record pins it",
				  ids[i]);
		err = e ?: err;
	}
	return err;
}

void drift_move_failed(struct drift_report *from, struct drift_report *to)
{
	int kept = 0;

	for (int i = 0; i < from->nr; i++) {
		if (from->items[i].fix != DRIFT_NONE)
			from->items[kept++] = from->items[i];
		else if (to->nr < DRIFT_MAX)
			to->items[to->nr++] = from->items[i];
		else
			to->nr_lost++;
	}
	from->nr = kept;
}

bool drift_unrepairable(const struct drift_report *rep)
{
	for (int i = 0; i < rep->nr; i++)
		if (rep->items[i].fix == DRIFT_NONE || rep->items[i].fix == DRIFT_REAPPLY)
			return true;
	return false;
}

struct repin_map {
	const char *map_name;
	const char *pin;
	int err; /* -ENOENT until a map of that name was met, then the last pin's error */
};

/* Stops (1) once pinned; a failed pin leaves the next map of that name a try. */
static int repin_if_named(int fd, const struct bpf_map_info *info, void *ctx)
{
	struct repin_map *want = ctx;

	if (strcmp(info->name, want->map_name))
		return 0;
	if (!bpf_obj_pin(fd, want->pin))
		return 1;
	want->err = -errno;
	return 0;
}

/* A program pinned (or linked) in dir that uses map_name, pinned again at pin. */
static int repin_map_from_dir(const char *dir, const char *map_name, const char *pin)
{
	struct repin_map want = { .map_name = map_name, .pin = pin, .err = -ENOENT };
	int ret = for_each_pinned_prog_map(dir, repin_if_named, &want);

	return ret == 1 ? 0 : ret ?: want.err;
}

int drift_repin_shared_maps(const struct registry *reg)
{
	char pin[PATH_MAX];
	int err = 0;

	for (int m = 0; m < STORE_NR_SHARED_MAPS; m++) {
		int found = -ENOENT;

		store_shared_map_pin(pin, m);
		if (!access(pin, F_OK))
			continue;
		for (int i = 0; found && i < reg->nr; i++)
			if (reg->recs[i].meta.status == PATCH_ACTIVE && !reg->recs[i].dir_missing)
				found = repin_map_from_dir(reg->recs[i].dir, store_shared_maps[m],
							   pin);
		/*
		 * With no active patch, this build's commit program still holds
		 * bpflp_state: a new map would start the epoch over (and lose
		 * 'stats off') while bpflp_snap, pinned apart, may keep entries
		 * stamped with the old epochs that a later epoch could match.
		 */
		if (found == -ENOENT && !strcmp(store_shared_maps[m], "bpflp_state"))
			found = commit_pin_repin_state(pin);
		if (found && found != -ENOENT)
			err = found;
	}
	return err;
}

static int pin_prog_id(__u32 id, const char *dir, const char *func, const char *what)
{
	char pin[PATH_MAX];
	int fd, err;

	err = store_pin_path(pin, sizeof(pin), dir, func, what);
	if (err || !access(pin, F_OK))
		return err;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_pin(fd, pin) ? -errno : 0;
	close(fd);
	return err;
}

/* Pin again, from its link, the program of a piece whose program pin is gone. */
static int repin_prog(const char *dir, const char *func, const struct piece *piece)
{
	char link_pin[PATH_MAX], prog_pin[PATH_MAX];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd, err;

	if (piece->companion) {
		__u32 prog_id, drop_id;

		if (!companion_attachment(dir, func, &prog_id, &drop_id))
			return -ENOENT;
		return pin_prog_id(prog_id, dir, func, piece->prog_what) ?:
			       pin_prog_id(drop_id, dir, func, pin_drop.prog);
	}
	err = store_pin_path(link_pin, sizeof(link_pin), dir, func, piece->link_what) ?:
		      store_pin_path(prog_pin, sizeof(prog_pin), dir, func, piece->prog_what);
	if (err)
		return err;
	fd = bpf_obj_get(link_pin);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	fd = bpf_prog_get_fd_by_id(info.prog_id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_pin(fd, prog_pin) ? -errno : 0;
	close(fd);
	return err;
}

int drift_repin(const struct registry *reg, struct drift_report *rep)
{
	struct piece pieces[MAX_PIECES];
	int err = 0, done = 0, e;

	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];
		const struct patch_meta *m = &rec->meta;

		if (rec->dir_missing) {
			if (m->status == PATCH_ACTIVE)
				continue; /* a record to correct: see DRIFT_RECORD */
			e = mkdir(rec->dir, 0700) && errno != EEXIST ? -errno : 0;
			e = e ?: store_write_meta(rec->dir, m);
			if (!e) {
				done++;
				drift_add(rep, m, DRIFT_REPIN,
					  "restored its directory and record pin");
			}
			err = e ?: err;
			continue;
		}
		if (rec->meta_pin_missing || rec->copy_pin_missing) {
			e = store_write_meta(rec->dir, m);
			if (!e) {
				done++;
				drift_add(rep, m, DRIFT_REPIN, "pinned its record again (%s)",
					  rec->meta_pin_missing ? "meta" : "records/ copy");
			}
			err = e ?: err;
		}
		if (m->status != PATCH_ACTIVE)
			continue;
		for (__u32 f = 0; f < m->nr_funcs; f++) {
			int n;

			if (!meta_first_on_func(m, f))
				continue;
			n = func_pieces(m, f, pieces);
			for (int p = 0; p < n; p++) {
				if (!piece_attached(rec->dir, m->funcs[f].name, &pieces[p]) ||
				    piece_pinned(rec->dir, m->funcs[f].name, &pieces[p]))
					continue;
				e = repin_prog(rec->dir, m->funcs[f].name, &pieces[p]);
				if (!e) {
					done++;
					drift_add(rep, m, DRIFT_REPIN,
						  "%s: pinned the %s program again",
						  m->funcs[f].name, pieces[p].label);
				}
				err = e ?: err;
			}
		}
	}
	struct dispatch_sink sink = drift_dispatch_sink(rep);

	done += dispatch_repin(reg, &sink);
	/* What was restored counts first: the caller reads the records again. */
	return done ?: err;
}

/*
 * bpflp's take and drop on func whose program pins are gone are loaded
 * again from the record (they hold nothing of the patch's) and pinned:
 * attached after, by the caller, where their links are gone too. 0, or
 * the error, said in rep.
 */
static int restore_snapshot_pieces(const struct patch_record *rec, const char *func,
				   const struct piece *pieces, int n, struct drift_report *rep)
{
	bool lost[MAX_PIECES];
	bool any = false;
	int err;

	for (int p = 0; p < n; p++) {
		lost[p] = pieces[p].snapshot && !piece_pinned(rec->dir, func, &pieces[p]) &&
			  !piece_attached(rec->dir, func, &pieces[p]);
		any |= lost[p];
	}
	if (!any)
		return 0;
	err = restore_snapshot_programs(&rec->meta, rec->dir, func);
	if (err) {
		drift_add(rep, &rec->meta, DRIFT_NONE,
			  "%s: cannot load bpflp's snapshot programs again (%s): apply %s again",
			  func, strerror(-err), rec->meta.object);
		return err;
	}
	for (int p = 0; p < n; p++)
		if (lost[p])
			drift_add(rep, &rec->meta, DRIFT_REPIN, "%s: loaded the %s program again",
				  func, pieces[p].label);
	return 0;
}

/*
 * Attach a piece again. Its old link, whose pin was just deleted (by hand,
 * or by us for the take), leaves the trampoline only once the kernel frees
 * it, from a worker after a grace period; until then the kernel refuses
 * the same program there again (EBUSY): wait for it, up to 10 s.
 */
static int attach_pinned_again(const char *dir, const char *func, const struct piece *piece)
{
	int err, tries = 500;

	while ((err = attach_pinned(dir, func, piece->prog_what, piece->link_what, piece->type)) ==
		       -EBUSY &&
	       --tries)
		sleep_ms(20);
	return err;
}

int drift_reattach(const struct patch_record *rec, struct drift_report *rep)
{
	const struct patch_meta *m = &rec->meta;
	struct piece pieces[MAX_PIECES];
	bool gone[MAX_PIECES];
	char take_link[PATH_MAX];
	int err = 0, first_err = 0;

	/* A function that cannot be attached again does not hold up the others. */
	for (__u32 f = 0; f < m->nr_funcs; f++) {
		const char *func = m->funcs[f].name;
		bool missing = false, lost = false, relink_take = false;
		int n;

		if (!meta_first_on_func(m, f))
			continue;
		n = func_pieces(m, f, pieces);
		if (restore_snapshot_pieces(rec, func, pieces, n, rep))
			continue; /* said why, and to apply the object again */
		for (int p = 0; p < n; p++) {
			if (piece_attached(rec->dir, func, &pieces[p]))
				continue;
			missing = true;
			lost |= !piece_pinned(rec->dir, func, &pieces[p]);
		}
		if (!missing)
			continue;
		if (lost) {
			drift_add(rep, m, DRIFT_REAPPLY, "%s: a program is gone: apply %s again",
				  func, m->object);
			continue;
		}
		/*
		 * The take stays the newest fentry program on the function (see
		 * bpf/snapshot.bpf.c): where one of the patch's fentry programs
		 * is attached again, the take goes first and comes back last.
		 * The commit word does not change meanwhile (we hold the lock),
		 * so no call can see two words.
		 */
		for (int p = 0; p < n; p++) {
			gone[p] = !piece_attached(rec->dir, func, &pieces[p]);
			relink_take |= gone[p] && !pieces[p].snapshot &&
				       pieces[p].type == BPF_TRACE_FENTRY;
		}
		err = store_pin_path(take_link, sizeof(take_link), rec->dir, func, pin_take.link);
		if (!err && relink_take && unlink(take_link) && errno != ENOENT)
			err = -errno;
		for (int p = 0; p < n && !err; p++) {
			if (piece_attached(rec->dir, func, &pieces[p]))
				continue;
			if (pieces[p].companion)
				err = companion_module_ensure_loaded() ?:
					      companion_attach_pinned(rec->dir, func);
			else
				err = attach_pinned_again(rec->dir, func, &pieces[p]);
			if (!err && gone[p])
				drift_add(rep, m, DRIFT_REATTACH, "%s: attached the %s again", func,
					  pieces[p].label);
		}
		if (err)
			drift_add(rep, m, DRIFT_NONE, "%s: cannot attach it again: %s", func,
				  strerror(-err));
		first_err = first_err ?: err;
	}
	return first_err;
}
