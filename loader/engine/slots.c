// SPDX-License-Identifier: GPL-2.0
/*
 * Slot choice. The kernel, not bpffs, says whether a slot's previous
 * instance is gone: its links are released from an RCU callback and a
 * workqueue after their pins go, and anything (a stray fd, a pin outside
 * the tree) may keep a program alive for longer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "commit.h"
#include "prog_maps.h"
#include "slots.h"
#include "util.h"

/* Rodata variables that hold the slot: a patch's gates (patch.bpf.h), bpflp's take and drop. */
static const char *const slot_vars[] = { "bpflp_slot", "slot" };

static int id_of_map(int fd, __u32 *id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

static bool is_slot_var(const struct btf *btf, const struct btf_var_secinfo *vs)
{
	const char *name = btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off);

	for (size_t v = 0; name && v < ARRAY_SIZE(slot_vars); v++)
		if (!strcmp(name, slot_vars[v]) && vs->size == sizeof(__u32))
			return true;
	return false;
}

/* Offset of the slot variable in a .rodata map's value, from its BTF; -ENOENT if none. */
static int slot_offset(const struct bpf_map_info *info)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf;
	int off = -ENOENT;

	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return -errno;
	sec = btf__type_by_id(btf, info->btf_value_type_id);
	if (sec && btf_is_datasec(sec)) {
		vs = btf_var_secinfos(sec);
		for (int i = 0; i < btf_vlen(sec) && off < 0; i++)
			if (is_slot_var(btf, &vs[i]))
				off = vs[i].offset;
	}
	btf__free(btf);
	return off;
}

/* The slot in the rodata map map_id, or -ENOENT if it is not a bpflp rodata. */
static int rodata_slot(__u32 map_id)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0, slot;
	int fd, off, err = -ENOENT;
	char *value = NULL;

	fd = bpf_map_get_fd_by_id(map_id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !strstr(info.name, ".rodata") || !info.btf_id)
		goto out;
	off = slot_offset(&info);
	if (off < 0 || off + sizeof(slot) > info.value_size)
		goto out;
	value = malloc(info.value_size);
	if (value && !bpf_map_lookup_elem(fd, &key, value)) {
		memcpy(&slot, value + off, sizeof(slot));
		err = slot < BPFLP_MAX_SLOTS ? (int)slot : -ENOENT;
	}
out:
	free(value);
	close(fd);
	return err;
}

/*
 * Rodata is frozen and map ids are not reused while the kernel runs: what
 * a map said once holds, and a wait for a slot rescans the same maps.
 */
static struct {
	__u32 map_id;
	int slot;
} rodata_seen[1024];
static int nr_rodata_seen;

static int rodata_slot_cached(__u32 map_id)
{
	int slot;

	for (int i = 0; i < nr_rodata_seen; i++)
		if (rodata_seen[i].map_id == map_id)
			return rodata_seen[i].slot;
	slot = rodata_slot(map_id);
	if ((slot >= 0 || slot == -ENOENT) && nr_rodata_seen < 1024)
		rodata_seen[nr_rodata_seen++] = (typeof(rodata_seen[0])){ map_id, slot };
	return slot;
}

/* The slot of program prog_id if it uses the snapshot map, else -ENOENT. */
static int prog_slot(__u32 prog_id, __u32 snap_id)
{
	__u32 map_ids[PROG_MAX_MAPS], nr;
	bool uses_snap = false;
	int fd, slot = -ENOENT;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -ENOENT; /* gone meanwhile */
	nr = prog_map_ids(fd, map_ids);
	close(fd);
	for (__u32 i = 0; i < nr; i++)
		uses_snap |= map_ids[i] == snap_id;
	for (__u32 i = 0; uses_snap && i < nr && slot < 0; i++)
		slot = rodata_slot_cached(map_ids[i]);
	return slot;
}

int slots_with_programs(int snap_fd, __u64 *mask)
{
	__u32 id = 0, snap_id = 0;
	int err, slot;

	*mask = 0;
	err = id_of_map(snap_fd, &snap_id);
	if (err)
		return err;
	while (!bpf_prog_get_next_id(id, &id)) {
		slot = prog_slot(id, snap_id);
		if (slot >= 0)
			*mask |= 1ULL << slot;
	}
	return errno == ENOENT ? 0 : -errno;
}

/*
 * When each slot was released, as an order: never (0) first, then by time;
 * a slot still armed though the word does not use it (a staged patch left
 * by a crash) last.
 */
static void slot_release_times(int armed_fd, __u64 *released)
{
	for (__u32 s = 0; s < BPFLP_MAX_SLOTS; s++) {
		if (bpf_map_lookup_elem(armed_fd, &s, &released[s]))
			released[s] = 0;
		else if (released[s] && !(released[s] & SLOT_RELEASED))
			released[s] = ~0ULL;
	}
}

/* Least recently released slot of candidates, or -1. */
static int oldest_slot(__u64 candidates, const __u64 *released)
{
	int best = -1;

	for (int s = 0; s < BPFLP_MAX_SLOTS; s++)
		if ((candidates & (1ULL << s)) && (best < 0 || released[s] < released[best]))
			best = s;
	return best;
}

int slot_pick(int armed_fd, int snap_fd, __u64 word, int wait_ms, __u32 *slot, __u64 *lingering)
{
	/* Never bit 63, the side bit (word_bits.h), whatever the word holds there. */
	__u64 released[BPFLP_MAX_SLOTS], free = ~word & ((1ULL << BPFLP_PATCH_SLOTS) - 1);
	int err, best;

	slot_release_times(armed_fd, released);
	for (int waited = 0;; waited += 20) {
		err = slots_with_programs(snap_fd, lingering);
		if (err)
			return err;
		*lingering &= ~word;
		best = oldest_slot(free & ~*lingering, released);
		if (best >= 0) {
			*slot = best;
			return 0;
		}
		if (!free || waited >= wait_ms)
			return free ? -EBUSY : -ENOSPC;
		sleep_ms(20);
	}
}
