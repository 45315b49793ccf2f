// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "bpflp/abi.h"
#include "btf_layout.h"
#include "declared.h"
#include "fault.h"
#include "log.h"
#include "output.h"
#include "patch_types.h"
#include "pinned_maps.h"
#include "shadow.h"
#include "store.h"
#include "util.h"

#define SHADOW_FROM_PREFIX "bpflp_shadow_from_"
#define MIGRATE_PREFIX     "bpflp_migrate_"

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static struct shadow_decl *find_decl(struct patch_object *po, const char *name)
{
	for (int i = 0; i < po->nr_shadows; i++)
		if (!strcmp(po->shadows[i].name, name))
			return &po->shadows[i];
	return NULL;
}

static int check_shadow_map(struct patch_object *po, const struct bpf_map *map, const char *name)
{
	if (strlen(name) > BPFLP_NAME_MAX) {
		p_err("%s: shadow name '%s' is longer than %d characters: shorten it", po->path,
		      name, BPFLP_NAME_MAX);
		return -EINVAL;
	}
	if (bpf_map__type(map) != BPF_MAP_TYPE_HASH ||
	    bpf_map__key_size(map) != sizeof(struct bpflp_shadow_key) ||
	    !bpf_map__btf_value_type_id(map)) {
		p_err("%s: map %s is not a shadow (a hash map keyed by struct bpflp_shadow_key, with a BTF value type): declare it with BPFLP_SHADOW(%s, type, max_entries)",
		      po->path, bpf_map__name(map), name);
		return -EINVAL;
	}
	return 0;
}

int shadow_scan(struct patch_object *po)
{
	struct bpf_program *prog;
	struct shadow_decl *s;
	struct bpf_map *map;
	int err;

	po->nr_shadows = 0;
	bpf_object__for_each_map(map, po->obj) {
		const char *name;

		if (!has_prefix(bpf_map__name(map), SHADOW_MAP_PREFIX) ||
		    has_prefix(bpf_map__name(map), SHADOW_FROM_PREFIX))
			continue;
		name = bpf_map__name(map) + strlen(SHADOW_MAP_PREFIX);
		err = check_shadow_map(po, map, name);
		if (err)
			return err;
		if (po->nr_shadows == BPFLP_MAX_SHADOWS) {
			p_err("%s declares more than %d shadows: merge some into one value type",
			      po->path, BPFLP_MAX_SHADOWS);
			return -E2BIG;
		}
		s = &po->shadows[po->nr_shadows++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->map = map;
		s->existing_fd = -1;
	}
	bpf_object__for_each_map(map, po->obj) {
		const char *name;
		char prog_name[64];

		if (!has_prefix(bpf_map__name(map), SHADOW_FROM_PREFIX))
			continue;
		name = bpf_map__name(map) + strlen(SHADOW_FROM_PREFIX);
		s = find_decl(po, name);
		snprintf(prog_name, sizeof(prog_name), MIGRATE_PREFIX "%s", name);
		prog = bpf_object__find_program_by_name(po->obj, prog_name);
		if (!s || !prog || check_shadow_map(po, map, name)) {
			p_err("%s: migration source %s has no shadow %s or no program %s: declare both with BPFLP_SHADOW and BPFLP_SHADOW_MIGRATE",
			      po->path, bpf_map__name(map), name, prog_name);
			return -EINVAL;
		}
		s->from = map;
		s->migrate = prog;
	}
	bpf_object__for_each_program(prog, po->obj) {
		const char *name = bpf_program__name(prog);

		if (bpf_program__type(prog) == BPF_PROG_TYPE_SYSCALL &&
		    has_prefix(name, MIGRATE_PREFIX) &&
		    !(find_decl(po, name + strlen(MIGRATE_PREFIX)) &&
		      find_decl(po, name + strlen(MIGRATE_PREFIX))->migrate == prog)) {
			p_err("%s: program %s migrates no shadow of this patch: use BPFLP_SHADOW_MIGRATE after BPFLP_SHADOW",
			      po->path, name);
			return -EINVAL;
		}
	}
	return 0;
}

/* The pinned (or kept) shadow NAME: an fd, -ENOENT, or another negative errno. */
static int open_pinned(const char *name, char *pin, size_t size)
{
	static const char *const dirs[] = { SHADOW_DIR, SHADOW_KEPT_DIR };
	int fd;

	for (int i = 0; i < 2; i++) {
		if (try_snprintf(pin, size, "%s/%s", dirs[i], name))
			return -ENAMETOOLONG;
		fd = bpf_obj_get(pin);
		if (fd >= 0 || errno != ENOENT)
			return fd >= 0 ? fd : -errno;
	}
	return -ENOENT;
}

/*
 * Does the pinned map (info) hold what map declares? 0: same; 1: different,
 * *d says where; < 0: the pin is no shadow (reported).
 */
static int compare_layout(struct patch_object *po, const char *pin, const struct bpf_map_info *info,
			  const struct bpf_map *map, bool with_size, struct layout_diff *d)
{
	struct btf *old;
	int diff;

	if (info->type != BPF_MAP_TYPE_HASH || info->key_size != sizeof(struct bpflp_shadow_key) ||
	    !info->btf_id || !info->btf_value_type_id) {
		p_err("%s is not a bpflp shadow (a hash map with BTF): remove it by hand if it is not yours",
		      pin);
		return -EPROTO;
	}
	old = btf__load_from_kernel_by_id(info->btf_id);
	if (!old) {
		int err = -errno;

		p_err("cannot read the BTF of %s (id %u): %s", pin, info->btf_id, strerror(-err));
		return err;
	}
	diff = btf_layout_diff(old, info->btf_value_type_id, bpf_object__btf(po->obj),
			       bpf_map__btf_value_type_id(map), d);
	btf__free(old);
	if (!diff && with_size && info->max_entries != bpf_map__max_entries(map)) {
		snprintf(d->field, sizeof(d->field), "max_entries");
		snprintf(d->was, sizeof(d->was), "%u", info->max_entries);
		snprintf(d->now, sizeof(d->now), "%u", bpf_map__max_entries(map));
		diff = 1;
	}
	return diff;
}

static const char *field_name(const struct layout_diff *d)
{
	return d->field[0] ? d->field : "(the value type itself)";
}

static int plan_one(struct patch_object *po, struct shadow_decl *s, bool stack)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct layout_diff d;
	char pin[PATH_MAX];
	int fd, diff;

	fd = open_pinned(s->name, pin, sizeof(pin));
	if (fd == -ENOENT)
		return 0; /* a new shadow */
	if (fd < 0) {
		p_err("cannot open the shadow %s: %s", pin, strerror(-fd));
		return fd;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		diff = -errno;
		p_err("cannot read the shadow %s: %s", pin, strerror(-diff));
		goto fail;
	}
	diff = compare_layout(po, pin, &info, s->map, true, &d);
	if (diff < 0)
		goto fail;
	s->existing_fd = fd;
	if (!diff)
		return 0; /* inherited as it is */
	if (!s->from) {
		p_err("%s: shadow %s differs from the one in %s at field '%s': %s there, %s here; keep the layout, or declare BPFLP_SHADOW_MIGRATE(%s, old type, old, new) to convert the entries",
		      po->path, s->name, pin, field_name(&d), d.was, d.now, s->name);
		diff = -EINVAL;
		goto fail;
	}
	if (stack) {
		p_err("%s: shadow %s needs a migration, which only a cumulative replace can run (stacked patches would split its entries): apply without --stack",
		      po->path, s->name);
		diff = -EINVAL;
		goto fail;
	}
	/* The source is the pinned map itself, whatever size its declaration says. */
	diff = compare_layout(po, pin, &info, s->from, false, &d);
	if (diff > 0) {
		p_err("%s: BPFLP_SHADOW_MIGRATE(%s) names an old layout that differs from the one in %s at field '%s': %s there, %s in the migration; declare the old value type exactly",
		      po->path, s->name, pin, field_name(&d), d.was, d.now);
		diff = -EINVAL;
	}
	if (diff < 0)
		goto fail;
	s->migrating = true;
	return 0;
fail:
	close(fd);
	s->existing_fd = -1;
	return diff;
}

int shadow_plan(struct patch_object *po, bool stack)
{
	int err = 0;

	for (int i = 0; i < po->nr_shadows && !err; i++)
		err = plan_one(po, &po->shadows[i], stack);
	return err;
}

static int add_created_pin(struct patch_object *po, const char *dir, const char *name)
{
	int max = ARRAY_SIZE(po->created_pins);

	if (po->nr_created_pins == max) {
		p_err("%s pins too many maps (at most %d, shadows included)", po->path, max);
		return -E2BIG;
	}
	/* Names are at most BPFLP_NAME_MAX: always fits. */
	snprintf(po->created_pins[po->nr_created_pins++], sizeof(po->created_pins[0]), "%s/%s", dir,
		 name);
	return 0;
}

int shadow_bind(struct patch_object *po)
{
	int err = 0;

	for (int i = 0; i < po->nr_shadows && !err; i++) {
		struct shadow_decl *s = &po->shadows[i];

		if (s->existing_fd < 0)
			err = add_created_pin(po, SHADOW_DIR, s->name);
		else if (s->migrating)
			err = bpf_map__reuse_fd(s->from, s->existing_fd) ?:
				      add_created_pin(po, SHADOW_MIGRATING_DIR, s->name);
		else
			err = bpf_map__reuse_fd(s->map, s->existing_fd);
		if (err)
			p_err("cannot take over the shadow %s: %s", s->name, strerror(-err));
	}
	return err;
}

static int make_dir(const char *path)
{
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

int shadow_pin_created(struct patch_object *po)
{
	char pin[PATH_MAX];
	int err;

	for (int i = 0; i < po->nr_shadows; i++) {
		struct shadow_decl *s = &po->shadows[i];

		if (s->existing_fd >= 0 && !s->migrating)
			continue;
		snprintf(pin, sizeof(pin), "%s/%s",
			 s->migrating ? SHADOW_MIGRATING_DIR : SHADOW_DIR, s->name);
		err = make_dir(SHADOW_DIR) ?: s->migrating ? make_dir(SHADOW_MIGRATING_DIR) : 0;
		if (!err && bpf_obj_pin(bpf_map__fd(s->map), pin))
			err = -errno;
		if (err) {
			p_err("cannot pin the shadow %s at %s: %s", s->name, pin, strerror(-err));
			return err;
		}
	}
	fault_point("shadow-pinned");
	return 0;
}

int shadow_migrate(struct patch_object *po, bool catch_up)
{
	for (int i = 0; i < po->nr_shadows; i++) {
		struct shadow_decl *s = &po->shadows[i];
		struct bpflp_migrate_args args = { .catch_up = catch_up };
		LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
		int err;

		if (!s->migrating)
			continue;
		if (bpf_prog_test_run_opts(bpf_program__fd(s->migrate), &opts)) {
			err = -errno;
			p_err("cannot run the migration of shadow %s: %s", s->name, strerror(-err));
			return err;
		}
		s->converted += args.converted;
		pr_debug("shadow %s: %s migration wrote %llu entries\n", s->name,
			 catch_up ? "catch-up" : "first", (unsigned long long)args.converted);
	}
	if (!catch_up)
		fault_point("migrated");
	return 0;
}

void shadow_declare(const struct patch_object *po, struct patch_declared *decl)
{
	decl->nr_shadows = po->nr_shadows;
	for (int i = 0; i < po->nr_shadows; i++) {
		const struct shadow_decl *s = &po->shadows[i];
		struct declared_shadow *d = &decl->shadows[i];

		snprintf(d->name, sizeof(d->name), "%s", s->name);
		d->value_size = bpf_map__value_size(s->map);
		d->max_entries = bpf_map__max_entries(s->map);
		btf_layout_str(bpf_object__btf(po->obj), bpf_map__btf_value_type_id(s->map),
			       d->layout, sizeof(d->layout));
	}
}

/* Is name a shadow some active patch declares? */
static bool declared_by_active(const struct registry *reg, const char *name)
{
	struct patch_declared decl;

	for (int i = 0; i < reg->nr; i++) {
		if (reg->recs[i].meta.status != PATCH_ACTIVE ||
		    declared_read(reg->recs[i].dir, &decl))
			continue;
		for (__u32 j = 0; j < decl.nr_shadows; j++)
			if (!strcmp(decl.shadows[j].name, name))
				return true;
	}
	return false;
}

/*
 * The pins in dir (kept/ or migrating/) that an active patch declares take
 * the live name: a kept shadow taken back, a migrated map replacing the old
 * one (rename is atomic, over the old pin). Those nobody declares go,
 * unless replace_live is false and the live name is taken (a kept shadow a
 * new one of the same name superseded).
 */
static int settle_dir(const struct registry *reg, const char *dir, bool replace_live)
{
	char from[PATH_MAX], live[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/%s", dir, de->d_name);
		snprintf(live, sizeof(live), "%s/%s", SHADOW_DIR, de->d_name);
		if (!declared_by_active(reg, de->d_name)) {
			/* A kept one stays for a later patch; a migration nobody took is void. */
			if (replace_live && unlink(from) && errno != ENOENT)
				err = -errno;
			continue;
		}
		if (!replace_live && !access(live, F_OK) ? unlink(from) : rename(from, live))
			err = -errno;
	}
	closedir(d);
	rmdir(dir); /* when empty */
	return err;
}

int shadow_settle(const struct registry *reg, bool keep)
{
	char path[PATH_MAX], to[PATH_MAX];
	struct dirent *de;
	int err;
	DIR *d;

	fault_point("shadow-settle");
	err = settle_dir(reg, SHADOW_MIGRATING_DIR, true);
	d = opendir(SHADOW_DIR);
	if (!d)
		return errno == ENOENT ? err : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type == DT_DIR ||
		    declared_by_active(reg, de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", SHADOW_DIR, de->d_name);
		if (keep) {
			snprintf(to, sizeof(to), "%s/%s", SHADOW_KEPT_DIR, de->d_name);
			if (make_dir(SHADOW_KEPT_DIR) || rename(path, to))
				err = -errno;
		} else if (unlink(path) && errno != ENOENT) {
			err = -errno;
		}
	}
	closedir(d);
	err = settle_dir(reg, SHADOW_KEPT_DIR, false) ?: err;
	rmdir(SHADOW_DIR); /* when empty */
	return err;
}

/* See shadow.h, shadow_find_map(). */
struct shadow_match {
	const struct declared_shadow *decl;
	char want[BPF_OBJ_NAME_LEN];
	__u32 found_id; /* 0 none yet, -1 two candidates */
};

static int match_shadow(int fd, const struct bpf_map_info *m, void *ctx)
{
	struct shadow_match *sm = ctx;
	char layout[SHADOW_LAYOUT_MAX];
	struct btf *btf;

	(void)fd;
	if (strcmp(m->name, sm->want) || m->value_size != sm->decl->value_size ||
	    m->max_entries != sm->decl->max_entries || !m->btf_id || m->id == sm->found_id)
		return 0;
	btf = btf__load_from_kernel_by_id(m->btf_id);
	if (!btf)
		return 0;
	btf_layout_str(btf, m->btf_value_type_id, layout, sizeof(layout));
	if (!strcmp(layout, sm->decl->layout))
		sm->found_id = sm->found_id ? (__u32)-1 : m->id; /* a second: two candidates */
	btf__free(btf);
	return 0;
}

int shadow_find_map(const char *dir, const struct declared_shadow *decl)
{
	struct shadow_match sm = { .decl = decl };
	int err;

	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 bytes of a map's name: cut as it does. */
	snprintf(sm.want, sizeof(sm.want), SHADOW_MAP_PREFIX "%.*s",
		 (int)(sizeof(sm.want) - sizeof(SHADOW_MAP_PREFIX)), decl->name);
	err = for_each_pinned_prog_map(dir, match_shadow, &sm);
	if (err)
		return err;
	if (sm.found_id == (__u32)-1)
		return -EEXIST;
	return sm.found_id ? bpf_map_get_fd_by_id(sm.found_id) : -ENOENT;
}

void shadow_repin(const struct registry *reg)
{
	struct patch_declared decl;
	char pin[PATH_MAX];

	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *rec = &reg->recs[i];

		if (rec->meta.status != PATCH_ACTIVE || rec->dir_missing ||
		    declared_read(rec->dir, &decl))
			continue;
		for (__u32 j = 0; j < decl.nr_shadows; j++) {
			int fd;

			snprintf(pin, sizeof(pin), "%s/%s", SHADOW_DIR, decl.shadows[j].name);
			if (!access(pin, F_OK))
				continue;
			fd = shadow_find_map(rec->dir, &decl.shadows[j]);
			if (fd == -EEXIST)
				pr_warn("warning: the pin of shadow %s was deleted, and %s@%u uses two maps that could be it: pin the right one at %s by hand\n",
					decl.shadows[j].name, rec->meta.name, rec->meta.version, pin);
			if (fd < 0)
				continue;
			if (!make_dir(SHADOW_DIR) && !bpf_obj_pin(fd, pin))
				pr_info("pinned shadow %s of %s@%u again at %s\n",
					decl.shadows[j].name, rec->meta.name, rec->meta.version, pin);
			close(fd);
		}
	}
}

void shadow_remove_empty_dirs(void)
{
	/* rmdir fails on a directory with pins: only empty ones go. */
	rmdir(SHADOW_MIGRATING_DIR);
	rmdir(SHADOW_KEPT_DIR);
	rmdir(SHADOW_DIR);
}

int shadow_count_entries(const char *pin, __u64 *count)
{
	struct bpflp_shadow_key key, next;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *prev = NULL;
	int fd = bpf_obj_get(pin);

	*count = 0;
	if (fd < 0)
		return -errno;
	/* A pin replaced by hand must not make the walk write past key. */
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.key_size != sizeof(key)) {
		close(fd);
		return -EPROTO;
	}
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		(*count)++;
	}
	close(fd);
	return 0;
}

void shadow_release(struct patch_object *po)
{
	for (int i = 0; i < po->nr_shadows; i++) {
		if (po->shadows[i].existing_fd >= 0)
			close(po->shadows[i].existing_fd);
		po->shadows[i].existing_fd = -1;
	}
}
