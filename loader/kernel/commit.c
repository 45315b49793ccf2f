// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "commit.h"
#include "commit.skel.h"
#include "log.h"
#include "output.h"
#include "store.h"
#include "util.h"

int share_state_section(struct bpf_object *obj, const char *pin)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, BPFLP_STATE_SECTION);
	int err;

	if (!map)
		return 0;
	/* libbpf makes global data mmapable; bpflp_state is not, and a reused pin must match. */
	err = bpf_map__set_map_flags(map, 0);
	return err ?: (pin ? bpf_map__set_pin_path(map, pin) : 0);
}

/* Point an object's shared maps at their pins: libbpf reuses them or creates and pins them. */
int share_maps(struct bpf_object *obj)
{
	char pin[PATH_MAX];

	for (size_t i = 0; i < STORE_NR_SHARED_MAPS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, store_shared_maps[i]);
		int err;

		if (!map)
			return -ENOENT;
		store_shared_map_pin(pin, i);
		err = bpf_map__set_pin_path(map, pin);
		if (!err && !strcmp(store_shared_maps[i], "bpflp_state"))
			err = share_state_section(obj, pin);
		if (err)
			return err;
	}
	return 0;
}

/*
 * STORE_ROOT/bpflp_commit_HASH, HASH an FNV-1a of the object this build
 * embeds: a pin is reused only by the build that made it, so a changed
 * program or struct bpflp_commit_args is never run from an older pin. A
 * cache key, not a trust anchor: the pin is root's, under the lock.
 */
void commit_pin_path(char path[PATH_MAX])
{
	size_t size;
	const unsigned char *elf = commit__elf_bytes(&size);
	__u64 hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++)
		hash = (hash ^ elf[i]) * 0x100000001b3ULL;
	snprintf(path, PATH_MAX, "%s/%s%016llx", STORE_ROOT, STORE_COMMIT_PIN_PREFIX,
		 (unsigned long long)hash);
}

int commit_ctx_open(struct commit_ctx *cc)
{
	char prog_pin[PATH_MAX];
	int err;

	memset(cc, 0, sizeof(*cc));
	commit_pin_path(prog_pin);
	err = commit_ctx_reuse_pinned(cc, prog_pin);
	if (!err || err == -EPROTO)
		return err;
	cc->skel = commit__open();
	if (!cc->skel) {
		err = -errno;
		p_err("cannot open bpflp's commit program: %s", strerror(-err));
		return err;
	}
	/* Another ABI's shared maps cannot be reused: said plainly, not as a libbpf EINVAL. */
	err = store_check_state();
	if (err) {
		commit_ctx_close(cc);
		return err;
	}
	err = share_maps(cc->skel->obj);
	if (!err)
		err = commit__load(cc->skel);
	if (err) {
		p_err("cannot load bpflp's commit program and shared maps in %s: %s", STORE_ROOT,
		      strerror(-err));
		commit_ctx_close(cc);
		return err;
	}
	cc->commit_fd = bpf_program__fd(cc->skel->progs.bpflp_commit);
	commit_pin_program(cc->commit_fd, prog_pin);
	cc->state_fd = bpf_map__fd(cc->skel->maps.bpflp_state);
	cc->cover_fd = bpf_map__fd(cc->skel->maps.bpflp_cover);
	cc->order_fd = bpf_map__fd(cc->skel->maps.bpflp_order);
	cc->armed_fd = bpf_map__fd(cc->skel->maps.bpflp_armed);
	cc->snap_fd = bpf_map__fd(cc->skel->maps.bpflp_snap);
	return 0;
}

void commit_ctx_close(struct commit_ctx *cc)
{
	int fds[] = { cc->commit_fd, cc->state_fd, cc->cover_fd,
		      cc->order_fd,  cc->armed_fd, cc->snap_fd };

	for (size_t i = 0; cc->pinned && i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	commit__destroy(cc->skel);
	memset(cc, 0, sizeof(*cc));
}

int run_callback_fd(int prog_fd, int *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	*retval = (int)opts.retval;
	return 0;
}

int commit_word(struct commit_ctx *cc, __u64 expected, __u64 desired)
{
	struct bpflp_commit_args args = { .expected_mask = expected, .new_mask = desired };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int err;

	err = bpf_prog_test_run_opts(cc->commit_fd, &opts);
	if (err) {
		err = -errno;
		p_err("cannot run the commit program: %s", strerror(-err));
		return err;
	}
	if (opts.retval) {
		p_err("commit refused: the commit word is %#llx, expected %#llx (changed behind bpflp's back); run 'bpflp recover'",
		      (unsigned long long)args.observed_mask, (unsigned long long)expected);
		return -ESTALE;
	}
	return 0;
}

/*
 * bpflp_state is one value: a change reads it whole and writes it back.
 * Only the lock holder writes it, so the fields it does not change (the
 * commit word among them) are written back with the values they had.
 */
static int state_read(struct commit_ctx *cc, struct bpflp_state *state)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(cc->state_fd, &zero, state) ? -errno : 0;
}

static int state_write(struct commit_ctx *cc, const struct bpflp_state *state)
{
	__u32 zero = 0;

	return bpf_map_update_elem(cc->state_fd, &zero, state, BPF_ANY) ? -errno : 0;
}

enum flux_change {
	FLUX_RAISE,
	FLUX_LOWER
};

/* Raise or lower bpflp_state.flux (abi.h); raising starts a new epoch. */
static int set_flux(struct commit_ctx *cc, enum flux_change change)
{
	struct bpflp_state state;
	int err = state_read(cc, &state);

	if (err)
		return err;
	state.flux = change == FLUX_RAISE;
	/*
	 * snapped is cleared as flux comes down, while the drops are on, so no
	 * gate of a later transaction reads a slot snapped without them.
	 */
	state.snapped = 0;
	state.epoch += change == FLUX_RAISE;
	return state_write(cc, &state);
}

int stats_switch(struct commit_ctx *cc, bool off, bool *changed)
{
	struct bpflp_state state;
	int err = state_read(cc, &state);

	if (!err) {
		*changed = !state.stats_off != !off;
		state.stats_off = off;
		err = state_write(cc, &state);
	}
	if (err)
		p_err("cannot switch the call counters %s in %s/bpflp_state: %s",
		      off ? "off" : "on", STORE_ROOT, strerror(-err));
	return err;
}

int epoch_next(struct commit_ctx *cc)
{
	struct bpflp_state state;
	int err = state_read(cc, &state);

	if (!err) {
		state.epoch++;
		err = state_write(cc, &state);
	}
	if (err) {
		p_err("cannot start a new epoch in %s/bpflp_state before the commit: %s",
		      STORE_ROOT, strerror(-err));
		return err;
	}
	/* Every program that read the old epoch has finished before the commit. */
	grace_period();
	return 0;
}

int snap_slot(struct commit_ctx *cc, __u32 slot)
{
	struct bpflp_state state;
	int err = state_read(cc, &state);

	if (err)
		return err;
	state.snapped |= 1ULL << slot;
	return state_write(cc, &state);
}

void grace_period(void)
{
	/* MEMBARRIER_CMD_GLOBAL waits for an RCU grace period (synchronize_rcu). */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		pr_warn("warning: membarrier: %s\n", strerror(errno));
}

int flux_begin(struct commit_ctx *cc)
{
	int err = set_flux(cc, FLUX_RAISE);

	if (err)
		p_err("cannot mark the commit word as changing in %s/bpflp_state: %s", STORE_ROOT,
		      strerror(-err));
	return err;
}

int flux_end(struct commit_ctx *cc)
{
	int err;

	/*
	 * Every BPF program that started before this returns has finished
	 * (synchronize_rcu): one that read a call's snapshot of the word
	 * before the commit cannot still be running when gates stop looking.
	 */
	grace_period();
	err = set_flux(cc, FLUX_LOWER);
	if (err)
		pr_warn("warning: cannot mark the commit word as settled: %s; calls keep taking snapshots until the next transaction\n",
			strerror(-err));
	return err;
}

static int cover_add(__u64 (*entries)[2], int *nr, __u64 key, __u64 bit)
{
	for (int i = 0; i < *nr; i++) {
		if (entries[i][0] == key) {
			entries[i][1] |= bit;
			return 0;
		}
	}
	if (*nr >= BPFLP_MAX_SLOTS * BPFLP_MAX_FUNCS)
		return -E2BIG;
	entries[*nr][0] = key;
	entries[*nr][1] = bit;
	(*nr)++;
	return 0;
}

int cover_sync(struct commit_ctx *cc, const struct patch_meta *const *metas, int nr, __u64 keep)
{
	static __u64 entries[BPFLP_MAX_SLOTS * BPFLP_MAX_FUNCS][2];
	__u64 key, next, old, value, *prev = NULL;
	int nr_entries = 0, err = 0;

	for (int m = 0; m < nr; m++)
		for (__u32 f = 0; f < metas[m]->nr_funcs && !err; f++)
			err = cover_add(entries, &nr_entries, metas[m]->funcs[f].key,
					1ULL << metas[m]->slot);
	for (int i = 0; i < nr_entries && !err; i++) {
		if (bpf_map_lookup_elem(cc->cover_fd, &entries[i][0], &old))
			old = 0;
		value = (old & keep) | entries[i][1];
		if (bpf_map_update_elem(cc->cover_fd, &entries[i][0], &value, BPF_ANY))
			err = -errno;
	}
	/* Other functions keep only the bits of slots in keep; empty entries go. */
	while (!err && !bpf_map_get_next_key(cc->cover_fd, prev, &next)) {
		bool wanted = false;

		for (int i = 0; i < nr_entries && !wanted; i++)
			wanted = entries[i][0] == next;
		if (!wanted && !bpf_map_lookup_elem(cc->cover_fd, &next, &old)) {
			value = old & keep;
			if (!value && !bpf_map_delete_elem(cc->cover_fd, &next))
				continue; /* restart from the same predecessor */
			if (value != old && bpf_map_update_elem(cc->cover_fd, &next, &value, BPF_ANY))
				err = -errno;
		}
		key = next;
		prev = &key;
	}
	if (err)
		p_err("cannot update %s/bpflp_cover: %s", STORE_ROOT, strerror(-err));
	return err;
}

int order_sync(struct commit_ctx *cc, const struct patch_meta *const *metas, int nr, int fresh_slot)
{
	__u64 zero = 0, newer = 0, value;
	__u32 slot;
	int err = 0;

	/* A slot given to a new patch starts with nothing newer than it. */
	if (fresh_slot >= 0) {
		slot = fresh_slot;
		if (bpf_map_update_elem(cc->order_fd, &slot, &zero, BPF_ANY))
			err = -errno;
	}
	/*
	 * Only ever add bits: a gate of a call that began before a commit may
	 * still hold a word with a slot the commit removed, and must keep
	 * deferring to it. A stale bit is harmless: it only counts while its
	 * slot is active, and a reused slot is the newest, as the bit says.
	 */
	for (int i = nr - 1; i >= 0 && !err; i--) {
		slot = metas[i]->slot;
		if (bpf_map_lookup_elem(cc->order_fd, &slot, &value))
			value = 0;
		value |= newer;
		if (bpf_map_update_elem(cc->order_fd, &slot, &value, BPF_ANY))
			err = -errno;
		newer |= 1ULL << slot;
	}
	if (err)
		p_err("cannot update %s/bpflp_order: %s", STORE_ROOT, strerror(-err));
	return err;
}

int arm_slot(struct commit_ctx *cc, __u32 slot, __u64 gen)
{
	int err = 0;

	if (slot >= BPFLP_MAX_SLOTS)
		return -EINVAL;
	if (bpf_map_update_elem(cc->armed_fd, &slot, &gen, BPF_ANY)) {
		err = -errno;
		p_err("cannot update %s/bpflp_armed: %s", STORE_ROOT, strerror(-err));
	}
	return err;
}

int disarm_slot(struct commit_ctx *cc, __u32 slot)
{
	__u64 value;

	if (slot < BPFLP_MAX_SLOTS && !bpf_map_lookup_elem(cc->armed_fd, &slot, &value) &&
	    (value & SLOT_RELEASED))
		return 0;
	return arm_slot(cc, slot, SLOT_RELEASED | realtime_ns());
}
