// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "drift.h"
#include "kernel_ops.h"
#include "patch_object.h"
#include "util.h"

static const char *const fix_names[] = {
	[DRIFT_REPIN] = "repin",
	[DRIFT_REATTACH] = "reattach",
	[DRIFT_REAPPLY] = "reapply",
	[DRIFT_RECORD] = "record",
	[DRIFT_NONE] = "none",
};

const char *drift_fix_name(enum drift_fix fix)
{
	return fix <= DRIFT_NONE ? fix_names[fix] : "unknown";
}

void drift_add(struct drift_report *rep, const struct patch_meta *m, enum drift_fix fix, const char *fmt, ...)
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

/*
 * The pieces a patch attaches on one function, in attach order: bpflp's
 * drop, the patch's programs there (one per kind), bpflp's take.
 */
struct piece {
	char prog_what[32];
	char link_what[32];
	enum bpf_attach_type type;
	const char *label;
};

static int func_pieces(const struct patch_meta *m, const char *func, struct piece *pieces)
{
	static const enum bpf_attach_type types[] = {
		[BPFLP_KIND_FENTRY] = BPF_TRACE_FENTRY,
		[BPFLP_KIND_FEXIT] = BPF_TRACE_FEXIT,
		[BPFLP_KIND_FMOD_RET] = BPF_MODIFY_RETURN,
	};
	int n = 0;

	pieces[n++] = (struct piece){ "drop_prog", "drop_link", BPF_TRACE_FEXIT, "bpflp's drop" };
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		const char *kind = bpflp_kind_name(m->funcs[i].kind);

		if (strcmp(m->funcs[i].name, func) || m->funcs[i].kind > BPFLP_KIND_FMOD_RET)
			continue;
		if (n == BPFLP_KIND_FMOD_RET + 2)
			break;	/* one program per kind: meta_valid() records cannot get here */
		snprintf(pieces[n].prog_what, sizeof(pieces[n].prog_what), "%s_prog", kind);
		snprintf(pieces[n].link_what, sizeof(pieces[n].link_what), "%s_link", kind);
		pieces[n].type = types[m->funcs[i].kind];
		pieces[n++].label = kind;
	}
	pieces[n++] = (struct piece){ "take_prog", "take_link", BPF_TRACE_FENTRY, "bpflp's take" };
	return n;
}

/* Is funcs[i] the first entry of the record on its function? */
static bool first_on_func(const struct patch_meta *m, __u32 i)
{
	for (__u32 j = 0; j < i; j++)
		if (!strcmp(m->funcs[j].name, m->funcs[i].name))
			return false;
	return true;
}

static void scan_active(const struct patch_record *rec, __u64 word, struct drift_report *rep)
{
	const struct patch_meta *m = &rec->meta;
	struct piece pieces[BPFLP_KIND_FMOD_RET + 3];

	if (!(word & (1ULL << m->slot)))
		drift_add(rep, m, DRIFT_RECORD,
			  "recorded active in slot %u, but the commit word does not enable that slot, so its gates are shut",
			  m->slot);
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		const char *func = m->funcs[i].name;
		int n;

		if (!first_on_func(m, i))
			continue;
		n = func_pieces(m, func, pieces);
		for (int p = 0; p < n; p++) {
			bool link = pin_exists(rec->dir, func, pieces[p].link_what);
			bool prog = pin_exists(rec->dir, func, pieces[p].prog_what);

			if (link && !prog)
				drift_add(rep, m, DRIFT_REPIN,
					  "%s: the %s program pin is gone (its link still holds it)", func,
					  pieces[p].label);
			else if (!link && prog)
				drift_add(rep, m, DRIFT_REATTACH,
					  "%s: the %s link is gone, so %s is not fully patched", func,
					  pieces[p].label, func);
			else if (!link)
				drift_add(rep, m, DRIFT_REAPPLY,
					  "%s: the %s link and its program are gone: apply %s again", func,
					  pieces[p].label, m->object);
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
			continue;	/* only . and .. */
		orphans++;
		drift_add(rep, NULL, DRIFT_NONE,
			  "%s holds %d pins but no record (both record pins were deleted): bpflp cannot tell what it is; 'rm -rf %s' detaches it, then run 'bpflp recover'",
			  dir, pins - 2, dir);
	}
	closedir(d);
	return orphans;
}

void drift_scan(const struct registry *reg, __u64 word, struct drift_report *rep)
{
	__u64 recorded = registry_active_mask(reg), unrecorded;
	char pin[PATH_MAX];
	int orphans;

	memset(rep, 0, sizeof(*rep));
	for (int i = 0; recorded && i < STORE_NR_SHARED_MAPS; i++) {
		snprintf(pin, sizeof(pin), "%s/%s", STORE_ROOT, store_shared_maps[i]);
		if (access(pin, F_OK))
			drift_add(rep, NULL, DRIFT_REPIN,
				  "shared map %s is gone while patches are active: pinned again from their programs",
				  pin);
	}
	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];
		bool active = rec->meta.status == PATCH_ACTIVE;

		if (rec->dir_missing) {
			if (active)
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
			drift_add(rep, &rec->meta, DRIFT_REPIN, "record pin %s/meta is gone", rec->dir);
		if (rec->copy_pin_missing)
			drift_add(rep, &rec->meta, DRIFT_REPIN, "record copy in %s is gone", STORE_RECORDS);
		if (active)
			scan_active(rec, word, rep);
	}
	orphans = scan_orphans(reg, rep);
	unrecorded = word & ~recorded;
	for (int s = 0; unrecorded && s < BPFLP_MAX_SLOTS; s++)
		if (unrecorded & (1ULL << s))
			drift_add(rep, NULL, orphans ? DRIFT_NONE : DRIFT_RECORD,
				  "the commit word enables slot %d, which no active record holds%s", s,
				  orphans ? " (see the directory without a record)" : "");
}

bool drift_unrepairable(const struct drift_report *rep)
{
	for (int i = 0; i < rep->nr; i++)
		if (rep->items[i].fix == DRIFT_NONE || rep->items[i].fix == DRIFT_REAPPLY)
			return true;
	return false;
}

/* A program pinned (or linked) in dir that uses map_name, pinned again at pin. */
static int repin_map_from_dir(const char *dir, const char *map_name, const char *pin)
{
	struct dirent *de;
	char path[PATH_MAX];
	int err = -ENOENT;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while (err && (de = readdir(d))) {
		__u32 map_ids[64] = {};
		struct bpf_prog_info info = {
			.nr_map_ids = 64,
			.map_ids = (__u64)(unsigned long)map_ids,
		};
		__u32 len = sizeof(info);
		int fd;

		if (strlen(de->d_name) < 6 || strcmp(de->d_name + strlen(de->d_name) - 5, "_prog") ||
		    try_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			info.nr_map_ids = 0;
		close(fd);
		for (__u32 i = 0; err && i < info.nr_map_ids && i < 64; i++) {
			struct bpf_map_info minfo = {};
			__u32 mlen = sizeof(minfo);
			int mfd = bpf_map_get_fd_by_id(map_ids[i]);

			if (mfd < 0)
				continue;
			if (!bpf_obj_get_info_by_fd(mfd, &minfo, &mlen) && !strcmp(minfo.name, map_name))
				err = bpf_obj_pin(mfd, pin) ? -errno : 0;
			close(mfd);
		}
	}
	closedir(d);
	return err;
}

int drift_repin_shared_maps(const struct registry *reg)
{
	char pin[PATH_MAX];
	int err = 0;

	for (int m = 0; m < STORE_NR_SHARED_MAPS; m++) {
		int found = -ENOENT;

		snprintf(pin, sizeof(pin), "%s/%s", STORE_ROOT, store_shared_maps[m]);
		if (!access(pin, F_OK))
			continue;
		for (int i = 0; found && i < reg->nr; i++)
			if (reg->recs[i].meta.status == PATCH_ACTIVE && !reg->recs[i].dir_missing)
				found = repin_map_from_dir(reg->recs[i].dir, store_shared_maps[m], pin);
		if (found && found != -ENOENT)
			err = found;
	}
	return err;
}

/* Pin again, from its link, the program of a piece whose program pin is gone. */
static int repin_prog(const char *dir, const char *func, const struct piece *piece)
{
	char link_pin[PATH_MAX], prog_pin[PATH_MAX];
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd, err;

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
	struct piece pieces[BPFLP_KIND_FMOD_RET + 3];
	int err = 0, e;

	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];
		const struct patch_meta *m = &rec->meta;

		if (rec->dir_missing) {
			if (m->status == PATCH_ACTIVE)
				continue;	/* a record to correct: see DRIFT_RECORD */
			e = mkdir(rec->dir, 0700) && errno != EEXIST ? -errno : 0;
			e = e ?: store_write_meta(rec->dir, m);
			if (!e)
				drift_add(rep, m, DRIFT_REPIN, "restored its directory and record pin");
			err = e ?: err;
			continue;
		}
		if (rec->meta_pin_missing || rec->copy_pin_missing) {
			e = store_write_meta(rec->dir, m);
			if (!e)
				drift_add(rep, m, DRIFT_REPIN, "pinned its record again (%s)",
					  rec->meta_pin_missing ? "meta" : "records/ copy");
			err = e ?: err;
		}
		if (m->status != PATCH_ACTIVE)
			continue;
		for (__u32 f = 0; f < m->nr_funcs; f++) {
			int n;

			if (!first_on_func(m, f))
				continue;
			n = func_pieces(m, m->funcs[f].name, pieces);
			for (int p = 0; p < n; p++) {
				if (!pin_exists(rec->dir, m->funcs[f].name, pieces[p].link_what) ||
				    pin_exists(rec->dir, m->funcs[f].name, pieces[p].prog_what))
					continue;
				e = repin_prog(rec->dir, m->funcs[f].name, &pieces[p]);
				if (!e)
					drift_add(rep, m, DRIFT_REPIN, "%s: pinned the %s program again",
						  m->funcs[f].name, pieces[p].label);
				err = e ?: err;
			}
		}
	}
	return err;
}

int drift_reattach(const struct patch_record *rec, struct drift_report *rep)
{
	const struct patch_meta *m = &rec->meta;
	struct piece pieces[BPFLP_KIND_FMOD_RET + 3];
	bool gone[BPFLP_KIND_FMOD_RET + 3];
	char take_link[PATH_MAX];
	int err = 0;

	for (__u32 f = 0; f < m->nr_funcs && !err; f++) {
		const char *func = m->funcs[f].name;
		bool missing = false, lost = false;
		int n;

		if (!first_on_func(m, f))
			continue;
		n = func_pieces(m, func, pieces);
		for (int p = 0; p < n; p++) {
			if (pin_exists(rec->dir, func, pieces[p].link_what))
				continue;
			missing = true;
			lost |= !pin_exists(rec->dir, func, pieces[p].prog_what);
		}
		if (!missing)
			continue;
		if (lost) {
			drift_add(rep, m, DRIFT_REAPPLY, "%s: a program is gone: apply %s again", func,
				  m->object);
			continue;
		}
		/*
		 * The take goes first and comes back last, so it stays the newest
		 * program on the function and its drop the oldest of the patch
		 * (see bpf/snapshot.bpf.c); the commit word does not change
		 * meanwhile (we hold the lock), so no call can see two words.
		 */
		for (int p = 0; p < n; p++)
			gone[p] = !pin_exists(rec->dir, func, pieces[p].link_what);
		err = store_pin_path(take_link, sizeof(take_link), rec->dir, func, "take_link");
		if (!err && unlink(take_link) && errno != ENOENT)
			err = -errno;
		for (int p = 0; p < n && !err; p++) {
			if (pin_exists(rec->dir, func, pieces[p].link_what))
				continue;
			err = attach_pinned(rec->dir, func, pieces[p].prog_what, pieces[p].link_what,
					    pieces[p].type);
			if (!err && gone[p])
				drift_add(rep, m, DRIFT_REATTACH, "%s: attached the %s again", func,
					  pieces[p].label);
		}
		if (err)
			drift_add(rep, m, DRIFT_NONE, "%s: cannot attach it again: %s", func,
				  strerror(-err));
	}
	return err;
}
