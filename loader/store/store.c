// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include "fault.h"
#include "output.h"
#include "store.h"
#include "util.h"

const char *const store_shared_maps[STORE_NR_SHARED_MAPS] = {
	"bpflp_state", "bpflp_cover", "bpflp_order", "bpflp_armed", "bpflp_snap",
};

bool store_is_shared_map(const char *name)
{
	for (size_t m = 0; m < STORE_NR_SHARED_MAPS; m++)
		if (!strcmp(name, store_shared_maps[m]))
			return true;
	/* bpflp_state again, as the gates read it (share_state_section). */
	return !strcmp(name, BPFLP_STATE_SECTION);
}

void store_shared_map_pin(char pin[PATH_MAX], size_t i)
{
	snprintf(pin, PATH_MAX, "%s/%s", STORE_ROOT, store_shared_maps[i]);
}

static const char *const status_names[] = {
	[PATCH_STAGED] = "staged",
	[PATCH_ACTIVE] = "active",
	[PATCH_DISABLED] = "disabled",
	[PATCH_REPLACED] = "replaced",
};

const char *patch_status_name(enum patch_status status)
{
	return status <= PATCH_REPLACED ? status_names[status] : "unknown";
}

const char *patch_mode_name(enum patch_mode mode)
{
	return mode == MODE_STACK ? "stack" : "replace";
}

/* Reports its own error: which step failed is the useful part (EACCES, EROFS, EPERM). */
static int make_dir(const char *path)
{
	int err;

	if (mkdir(path, 0700) && errno != EEXIST) {
		err = -errno;
		p_err("cannot create the state directory %s: %s", path, strerror(-err));
		return err;
	}
	/* Pins grant access to live kernel objects: keep the tree root-only. */
	if (chmod(path, 0700)) {
		err = -errno;
		p_err("cannot make the state directory %s root-only (chmod 0700): %s", path,
		      strerror(-err));
		return err;
	}
	return 0;
}

int store_ensure(void)
{
	struct statfs fs;
	int err;

	if (statfs(BPFFS_ROOT, &fs) || fs.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", BPFFS_ROOT, "bpf", 0, "mode=0700")) {
			err = -errno;
			p_err("bpffs is not mounted at %s and mounting it failed: %s; mount it with 'mount -t bpf bpf %s'",
			      BPFFS_ROOT, strerror(-err), BPFFS_ROOT);
			return err;
		}
	}
	err = make_dir(STORE_ROOT);
	return err ?: make_dir(STORE_PATCHES) ?: make_dir(STORE_RECORDS);
}

/* Do fd and path name the same directory (not one removed and made again)? */
static bool same_dir(int fd, const char *path)
{
	struct stat held, now;

	return !fstat(fd, &held) && !stat(path, &now) && held.st_dev == now.st_dev &&
	       held.st_ino == now.st_ino;
}

int store_lock(bool create)
{
	int fd, err;

	/*
	 * A transaction that fails on a state tree it created removes the tree,
	 * under the lock. A process that opened the directory just before that
	 * would then lock a directory nobody else can see: check after taking
	 * the lock, and start over if it is no longer the tree.
	 */
	for (int tries = 0; tries < 16; tries++) {
		if (create) {
			err = store_ensure();
			if (err)
				return err;
		}
		fd = open(STORE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT && !create)
				return err;
			if (err == -ENOENT)
				continue;
			p_err("cannot open %s: %s", STORE_ROOT, strerror(-err));
			return err;
		}
		fault_point("lock-wait");
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			err = -errno;
			close(fd);
			if (err == -EWOULDBLOCK) {
				p_err("another bpflp transaction is running (lock on %s held); retry when it has finished",
				      STORE_ROOT);
				return -EBUSY;
			}
			p_err("cannot lock %s: %s", STORE_ROOT, strerror(-err));
			return err;
		}
		if (same_dir(fd, STORE_ROOT))
			return fd;
		close(fd);
		if (!create && access(STORE_ROOT, F_OK))
			return -ENOENT;
	}
	p_err("cannot lock %s: it was removed and created again 16 times meanwhile; retry",
	      STORE_ROOT);
	return -EAGAIN;
}

void store_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int store_patch_dir(char *buf, size_t size, const char *name, __u32 version)
{
	return try_snprintf(buf, size, "%s/%s@%u", STORE_PATCHES, name, version);
}

/*
 * Are a and b on the same function? The keys first, a compare rather than
 * a string walk: loops over a record's N functions ask this N times each
 * (an O(N^2) of strcmp was a sixth of a 1000-function replace). A zero key,
 * which this bpflp never writes, falls back to the name alone.
 */
static bool on_same_func(const struct func_meta *a, const struct func_meta *b)
{
	return (a->key == b->key || !a->key || !b->key) && !strcmp(a->name, b->name);
}

bool meta_same_func(const struct patch_meta *m, __u32 i, __u32 j)
{
	return on_same_func(&m->funcs[i], &m->funcs[j]);
}

bool meta_first_on_func(const struct patch_meta *m, __u32 i)
{
	for (__u32 j = 0; j < i; j++)
		if (on_same_func(&m->funcs[j], &m->funcs[i]))
			return false;
	return true;
}

/* The first entry of m on func, or -1. */
static int first_entry_on(const struct patch_meta *m, const char *func)
{
	for (__u32 i = 0; i < m->nr_funcs; i++)
		if (!strcmp(m->funcs[i].name, func))
			return (int)i;
	return -1;
}

bool meta_dispatches_at(const struct patch_meta *m, __u32 i)
{
	for (__u32 j = 0; j < m->nr_funcs; j++)
		if (m->funcs[j].route == FUNC_ROUTE_DISPATCH &&
		    on_same_func(&m->funcs[j], &m->funcs[i]))
			return true;
	return false;
}

bool meta_dispatches(const struct patch_meta *m, const char *func)
{
	int i = first_entry_on(m, func);

	return i >= 0 && meta_dispatches_at(m, (__u32)i);
}

enum bpflp_snap_mode meta_snap_mode_at(const struct patch_meta *m, __u32 i)
{
	enum bpflp_snap_mode mode = BPFLP_SNAP_ON_DEMAND;

	for (__u32 j = 0; j < m->nr_funcs; j++) {
		if (!on_same_func(&m->funcs[j], &m->funcs[i]))
			continue;
		if (m->funcs[j].route == FUNC_ROUTE_COMPANION)
			return BPFLP_SNAP_COMPANION;
		if (m->funcs[j].kind == BPFLP_KIND_FEXIT)
			mode = BPFLP_SNAP_EXIT;
	}
	return mode;
}

enum bpflp_snap_mode meta_snap_mode(const struct patch_meta *m, const char *func)
{
	int i = first_entry_on(m, func);

	return i < 0 ? BPFLP_SNAP_ON_DEMAND : meta_snap_mode_at(m, (__u32)i);
}

int store_pin_path(char *buf, size_t size, const char *dir, const char *func, const char *what)
{
	if (func)
		return try_snprintf(buf, size, "%s/%s__%s", dir, func, what);
	return try_snprintf(buf, size, "%s/%s", dir, what);
}

/*
 * Is fd a record map holding exactly size bytes? The kernel copies a whole
 * value in and out: a pin replaced by hand with a bigger map, or a record
 * of another format, must not make it read or write past our buffer.
 */
static int check_record_map(int fd, __u32 size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != size || info.max_entries != 1)
		return -EPROTO;
	return 0;
}

int store_write_record(const char *pin, const char *map_name, const void *value, __u32 size)
{
	__u32 key = 0;
	int fd, err;

	fd = bpf_obj_get(pin);
	if (fd >= 0) {
		err = check_record_map(fd, size);
		if (!err && bpf_map_update_elem(fd, &key, value, BPF_ANY))
			err = -errno;
		close(fd);
		return err;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, map_name, sizeof(key), size, 1, NULL);
	if (fd < 0)
		return -errno;
	/* Fill before pinning: a reader never sees an empty record. */
	err = bpf_map_update_elem(fd, &key, value, BPF_ANY) || bpf_obj_pin(fd, pin) ? -errno : 0;
	close(fd);
	return err;
}

int store_read_record(const char *pin, void *value, __u32 size)
{
	__u32 key = 0;
	int fd, err;

	fd = bpf_obj_get(pin);
	if (fd < 0)
		return -errno;
	err = check_record_map(fd, size);
	if (!err && bpf_map_lookup_elem(fd, &key, value))
		err = -errno;
	close(fd);
	return err;
}

/*
 * A record is one map pinned twice: DIR/meta, beside the patch's pins, and
 * records/NAME@VERSION, so a pin deleted by hand can be restored from the
 * other (the same map: an update through one is seen through both).
 */
static int meta_pins(const char *dir, char *meta_pin, char *copy_pin)
{
	const char *base = strrchr(dir, '/');

	return store_pin_path(meta_pin, PATH_MAX, dir, NULL, "meta") ?:
		       try_snprintf(copy_pin, PATH_MAX, "%s/%s", STORE_RECORDS,
				    base ? base + 1 : dir);
}

static bool has_nul(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* A record that came from bpffs is input: every count and index in range, every string ended. */
bool meta_valid(const struct patch_meta *m)
{
	if (m->slot >= BPFLP_MAX_SLOTS || m->nr_funcs > BPFLP_MAX_FUNCS ||
	    m->status > PATCH_REPLACED || m->mode > MODE_STACK ||
	    !has_nul(m->name, sizeof(m->name)) || !has_nul(m->object, sizeof(m->object)) ||
	    !has_nul(m->replaced_by, sizeof(m->replaced_by)) ||
	    !has_nul(m->signer, sizeof(m->signer)))
		return false;
	for (__u32 i = 0; i < m->nr_funcs; i++)
		if (!has_nul(m->funcs[i].name, sizeof(m->funcs[i].name)) ||
		    m->funcs[i].kind > BPFLP_KIND_REPLACE || m->funcs[i].route > FUNC_ROUTE_DISPATCH)
			return false;
	return true;
}

/* 0 and *meta, or -ENOENT when neither pin exists; sets the record's pin flags. */
static int read_meta(struct patch_record *rec)
{
	char pin[PATH_MAX], copy[PATH_MAX];
	int err;

	err = meta_pins(rec->dir, pin, copy);
	if (err)
		return err;
	rec->meta_pin_missing = access(pin, F_OK) != 0;
	rec->copy_pin_missing = access(copy, F_OK) != 0;
	err = store_read_record(rec->meta_pin_missing ? copy : pin, &rec->meta, sizeof(rec->meta));
	if (!err && (rec->meta.magic != META_MAGIC || rec->meta.format != META_VERSION ||
		     !meta_valid(&rec->meta)))
		err = -EPROTO;
	return err;
}

int store_write_meta(const char *dir, const struct patch_meta *meta)
{
	char pin[PATH_MAX], copy[PATH_MAX];
	__u32 key = 0;
	int fd, err = 0;

	err = meta_pins(dir, pin, copy);
	if (err)
		return err;
	/* A directory deleted by hand comes back with its record (the patch is being recorded anew). */
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	fd = bpf_obj_get(pin);
	if (fd < 0)
		fd = bpf_obj_get(copy);
	if (fd >= 0)
		err = check_record_map(fd, sizeof(*meta));
	else
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpflp_meta", sizeof(key), sizeof(*meta), 1,
				    NULL);
	if (fd < 0)
		return -errno;
	/* Filled before it is pinned anywhere new: a reader never sees an empty record. */
	if (!err && bpf_map_update_elem(fd, &key, meta, BPF_ANY))
		err = -errno;
	if (!err && bpf_obj_pin(fd, pin) && errno != EEXIST)
		err = -errno;
	if (!err && bpf_obj_pin(fd, copy) && errno != EEXIST)
		err = -errno;
	close(fd);
	return err;
}

int store_remove_meta(const char *dir)
{
	char pin[PATH_MAX], copy[PATH_MAX];
	int err = 0;

	err = meta_pins(dir, pin, copy);
	if (err)
		return err;
	if (unlink(pin) && errno != ENOENT)
		err = -errno;
	if (unlink(copy) && errno != ENOENT)
		err = -errno;
	return err;
}

static int by_applied_at(const void *a, const void *b)
{
	const struct patch_record *ra = a, *rb = b;

	return ra->meta.applied_at < rb->meta.applied_at ? -1 :
							   ra->meta.applied_at > rb->meta.applied_at;
}

static int registry_add(struct registry *reg, const struct patch_record *rec)
{
	struct patch_record *recs = realloc(reg->recs, (reg->nr + 1) * sizeof(*recs));

	if (!recs)
		return -ENOMEM;
	reg->recs = recs;
	reg->recs[reg->nr++] = *rec;
	return 0;
}

/* Records under patches/, then those whose directory is gone (only records/ has them). */
int store_load(struct registry *reg)
{
	static const char *const parents[] = { STORE_PATCHES, STORE_RECORDS };
	struct dirent *de;
	int err = 0;
	DIR *d;

	reg->recs = NULL;
	reg->nr = 0;
	for (int p = 0; p < 2 && !err; p++) {
		d = opendir(parents[p]);
		if (!d) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		while (!err && (de = readdir(d))) {
			struct patch_record rec = {};

			if (de->d_name[0] == '.')
				continue;
			if (try_snprintf(rec.dir, sizeof(rec.dir), "%s/%s", STORE_PATCHES, de->d_name))
				continue;
			if (p == 1 && !access(rec.dir, F_OK))
				continue; /* seen under patches/ */
			rec.dir_missing = p == 1;
			if (read_meta(&rec))
				continue; /* not a record (or a foreign one): leave it alone */
			err = registry_add(reg, &rec);
		}
		closedir(d);
	}
	if (reg->nr)
		qsort(reg->recs, reg->nr, sizeof(*reg->recs), by_applied_at);
	return err;
}

void registry_free(struct registry *reg)
{
	free(reg->recs);
	reg->recs = NULL;
	reg->nr = 0;
}

struct patch_record *registry_find(struct registry *reg, const char *name, __u32 version)
{
	for (int i = 0; i < reg->nr; i++)
		if (!strcmp(reg->recs[i].meta.name, name) && reg->recs[i].meta.version == version)
			return &reg->recs[i];
	return NULL;
}

int patch_spec_version(const char *spec, __u32 *version)
{
	const char *at = strchr(spec, '@'), *v;
	__u64 value = 0;

	if (!at)
		return 0;
	v = at + 1;
	if (at == spec || !*v || (v[0] == '0' && v[1]))
		return -EINVAL;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return -EINVAL;
		value = value * 10 + (*v - '0');
		if (value > UINT32_MAX)
			return -EINVAL;
	}
	*version = value;
	return 1;
}

struct patch_record *registry_find_spec(struct registry *reg, const char *spec)
{
	char name[BPFLP_NAME_MAX + 1];
	const char *at = strchr(spec, '@');
	__u32 version;
	int has_version;

	has_version = patch_spec_version(spec, &version);
	if (has_version < 0)
		return NULL;
	if (has_version) {
		if ((size_t)(at - spec) > BPFLP_NAME_MAX)
			return NULL;
		snprintf(name, sizeof(name), "%.*s", (int)(at - spec), spec);
		return registry_find(reg, name, version);
	}
	for (int i = 0; i < reg->nr; i++)
		if (!strcmp(reg->recs[i].meta.name, spec) && reg->recs[i].meta.status == PATCH_ACTIVE)
			return &reg->recs[i];
	return NULL;
}

__u64 registry_active_mask(const struct registry *reg)
{
	__u64 mask = 0;

	for (int i = 0; i < reg->nr; i++)
		if (reg->recs[i].meta.status == PATCH_ACTIVE)
			mask |= 1ULL << reg->recs[i].meta.slot;
	return mask;
}

/*
 * Is fd bpflp_state as this bpflp lays it out? The kernel copies the
 * pinned map's whole value out: one made by a bpflp of another ABI, with a
 * bigger value, would be copied past our struct.
 */
int store_check_state_fd(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_ARRAY || info.key_size != sizeof(__u32) ||
	    info.value_size != sizeof(struct bpflp_state) || info.max_entries != 1) {
		p_err("%s/bpflp_state was made by a bpflp of another ABI (a %u-byte value, this bpflp's is %zu): disable the patches with that bpflp, or reboot, before using this one",
		      STORE_ROOT, info.value_size, sizeof(struct bpflp_state));
		return -EPROTO;
	}
	return 0;
}

int store_read_state(struct bpflp_state *state)
{
	__u32 key = 0;
	int fd, err;

	memset(state, 0, sizeof(*state));
	fd = bpf_obj_get(STORE_ROOT "/bpflp_state");
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = store_check_state_fd(fd);
	if (!err && bpf_map_lookup_elem(fd, &key, state))
		err = -errno;
	close(fd);
	return err;
}

int store_check_state(void)
{
	struct bpflp_state ignored;

	return store_read_state(&ignored);
}

int store_read_commit_word(__u64 *mask)
{
	struct bpflp_state state;
	int err = store_read_state(&state);

	*mask = err ? 0 : state.active_mask;
	return err;
}
