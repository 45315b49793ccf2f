// SPDX-License-Identifier: GPL-2.0
/*
 * The commit program pinned beside the shared maps, so that a transaction
 * opens six pins instead of loading it. Loading meant opening its object
 * (ELF, BTF, the kernel version), libbpf's feature probes and five map
 * reuses, for 21 instructions: 52 system calls and about 30 ms of every
 * transaction under TCG (docs/benchmarks.md, run L).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "commit.h"
#include "log.h"
#include "store.h"

#define COMMIT_PROG_NAME "bpflp_commit" /* bpf/commit.bpf.c's */

/* The shared maps as include/bpflp/maps.bpf.h defines them: a pin of another shape is not reused. */
static const struct shared_map_shape {
	const char *name;
	__u32 type, key_size, value_size, max_entries, flags;
} shapes[] = {
	{ "bpflp_state", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct bpflp_state), 1, 0 },
	{ "bpflp_cover", BPF_MAP_TYPE_HASH, 8, 8, BPFLP_MAX_COVERED, BPF_F_NO_PREALLOC },
	{ "bpflp_order", BPF_MAP_TYPE_ARRAY, 4, 8, BPFLP_MAX_SLOTS, 0 },
	{ "bpflp_armed", BPF_MAP_TYPE_ARRAY, 4, 8, BPFLP_MAX_SLOTS, 0 },
	{ "bpflp_snap", BPF_MAP_TYPE_TASK_STORAGE, 4, sizeof(struct bpflp_snapshot), 0,
	  BPF_F_NO_PREALLOC },
};

_Static_assert(sizeof(shapes) / sizeof(shapes[0]) == STORE_NR_SHARED_MAPS,
	       "one shape per shared map");

#define STATE_SHAPE 0 /* shapes[]'s bpflp_state, the commit program's map */

/* Is fd's map of want's shape? *id: its id, for prog_uses_only_map(). */
static bool has_shape(int fd, const struct shared_map_shape *want, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	*id = info.id;
	return info.type == want->type && info.key_size == want->key_size &&
	       info.value_size == want->value_size && info.max_entries == want->max_entries &&
	       info.map_flags == want->flags;
}

/* The one map of a commit program (its bpflp_state): 0, -ESTALE if prog_fd is not one. */
static int commit_prog_map_id(int prog_fd, __u32 *map_id)
{
	struct bpf_prog_info prog = {};
	__u32 map_ids[2], len = sizeof(prog);

	prog.nr_map_ids = 2;
	prog.map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &prog, &len))
		return -errno;
	if (prog.type != BPF_PROG_TYPE_SYSCALL || strcmp(prog.name, COMMIT_PROG_NAME) ||
	    prog.nr_map_ids != 1)
		return -ESTALE;
	*map_id = map_ids[0];
	return 0;
}

static int prog_uses_only_map(int prog_fd, __u32 map_id)
{
	__u32 id;

	return commit_prog_map_id(prog_fd, &id) ?: id == map_id ? 0 : -ESTALE;
}

int commit_ctx_reuse_pinned(struct commit_ctx *cc, const char *prog_pin)
{
	int *fds[] = { &cc->state_fd, &cc->cover_fd, &cc->order_fd, &cc->armed_fd, &cc->snap_fd };
	__u32 ids[STORE_NR_SHARED_MAPS];
	char pin[PATH_MAX];
	int err = 0;

	cc->pinned = true;
	cc->commit_fd = bpf_obj_get(prog_pin);
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS; i++)
		*fds[i] = -1;
	if (cc->commit_fd < 0)
		err = -errno;
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS && !err; i++) {
		snprintf(pin, sizeof(pin), "%s/%s", STORE_ROOT, shapes[i].name);
		*fds[i] = bpf_obj_get(pin);
		err = *fds[i] < 0 ? -errno : 0;
	}
	/* Another ABI's bpflp_state is refused in words (EPROTO), not loaded around. */
	err = err ?: store_check_state_fd(cc->state_fd);
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS && !err; i++)
		if (!has_shape(*fds[i], &shapes[i], &ids[i]))
			err = -ESTALE;
	if (!err && prog_uses_only_map(cc->commit_fd, ids[STATE_SHAPE]))
		err = -ESTALE;
	if (err == -ESTALE)
		pr_debug("the pinned commit program or a shared map is not as this bpflp makes them: loading them\n");
	if (err)
		commit_ctx_close(cc);
	return err;
}

void commit_pins_remove(void)
{
	DIR *d = opendir(STORE_ROOT);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, STORE_COMMIT_PIN_PREFIX, strlen(STORE_COMMIT_PIN_PREFIX)))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
}

void commit_pin_program(int prog_fd, const char *prog_pin)
{
	/* Another build's pin (or a stale one) gives way; no pin only costs the next load. */
	commit_pins_remove();
	if (bpf_obj_pin(prog_fd, prog_pin))
		pr_debug("cannot pin the commit program at %s: %s\n", prog_pin, strerror(errno));
}

int commit_pin_repin_state(const char *state_pin)
{
	char prog_pin[PATH_MAX];
	int prog_fd, map_fd, err;
	__u32 id, shape_id;

	commit_pin_path(prog_pin);
	prog_fd = bpf_obj_get(prog_pin);
	if (prog_fd < 0)
		return -ENOENT;
	err = commit_prog_map_id(prog_fd, &id);
	close(prog_fd);
	if (err)
		return err == -ESTALE ? -ENOENT : err;
	map_fd = bpf_map_get_fd_by_id(id);
	if (map_fd < 0)
		return -errno;
	if (!has_shape(map_fd, &shapes[STATE_SHAPE], &shape_id))
		err = -ENOENT; /* another ABI's: refused in words later, not adopted */
	else if (bpf_obj_pin(map_fd, state_pin))
		err = -errno;
	close(map_fd);
	return err;
}
