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
#include "commit.skel.h"
#include "companion_attach.h"
#include "companion_kmod.h"
#include "snapshot.skel.h"
#include "snapshot_loader.h"
#include "kernel.h"
#include "kernel_ops.h"
#include "log.h"
#include "output.h"
#include "snapshot_links.h"

/* Point an object's shared maps at their pins: libbpf reuses them or creates and pins them. */
int share_maps(struct bpf_object *obj)
{
	char pin[PATH_MAX];

	for (size_t i = 0; i < STORE_NR_SHARED_MAPS; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, store_shared_maps[i]);
		int err;

		if (!map)
			return -ENOENT;
		snprintf(pin, sizeof(pin), "%s/%s", STORE_ROOT, store_shared_maps[i]);
		err = bpf_map__set_pin_path(map, pin);
		if (err)
			return err;
	}
	return 0;
}

int commit_ctx_open(struct commit_ctx *cc)
{
	int err;

	memset(cc, 0, sizeof(*cc));
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
	cc->state_fd = bpf_map__fd(cc->skel->maps.bpflp_state);
	cc->cover_fd = bpf_map__fd(cc->skel->maps.bpflp_cover);
	cc->order_fd = bpf_map__fd(cc->skel->maps.bpflp_order);
	cc->armed_fd = bpf_map__fd(cc->skel->maps.bpflp_armed);
	cc->snap_fd = bpf_map__fd(cc->skel->maps.bpflp_snap);
	return 0;
}

void commit_ctx_close(struct commit_ctx *cc)
{
	commit__destroy(cc->skel);
	cc->skel = NULL;
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

	err = bpf_prog_test_run_opts(bpf_program__fd(cc->skel->progs.bpflp_commit), &opts);
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
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		pr_warn("bpflp: warning: membarrier: %s\n", strerror(errno));
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
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		pr_warn("bpflp: warning: membarrier: %s\n", strerror(errno));
	err = set_flux(cc, FLUX_LOWER);
	if (err)
		pr_warn("bpflp: warning: cannot mark the commit word as settled: %s; calls keep taking snapshots until the next transaction\n",
			strerror(-err));
	return err;
}

static int pin_prog(struct bpf_program *prog, const char *dir, const char *func, const char *what)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, what);
	return err ?: bpf_program__pin(prog, pin);
}

/* Repairs keep what is still pinned: those programs are attached. */
static int pin_fd_if_missing(int fd, const char *dir, const char *func, const char *what)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, what);
	if (err || !access(pin, F_OK))
		return err;
	return bpf_obj_pin(fd, pin) ? -errno : 0;
}

static int pin_prog_if_missing(struct bpf_program *prog, const char *dir, const char *func,
			       const char *what)
{
	return pin_fd_if_missing(bpf_program__fd(prog), dir, func, what);
}

int attach_pinned(const char *dir, const char *func, const char *prog_what, const char *link_what,
		  enum bpf_attach_type type)
{
	char prog_pin[PATH_MAX], link_pin[PATH_MAX];
	int prog_fd, link_fd, err;

	err = store_pin_path(prog_pin, sizeof(prog_pin), dir, func, prog_what) ?:
		      store_pin_path(link_pin, sizeof(link_pin), dir, func, link_what);
	if (err)
		return err;
	prog_fd = bpf_obj_get(prog_pin);
	if (prog_fd < 0)
		return -errno;
	/* Tracing programs carry their target from load: no target fd. */
	link_fd = bpf_link_create(prog_fd, 0, type, NULL);
	err = link_fd < 0 ? -errno : 0;
	if (!err && bpf_obj_pin(link_fd, link_pin))
		err = -errno;
	if (link_fd >= 0)
		close(link_fd); /* the pin keeps it attached */
	close(prog_fd);
	return err;
}

/*
 * The snapshot programs for t: loaded and pinned (where their pins are
 * missing), not attached. On the companion route the module runs the drop
 * itself, after the replacing program (so it is loaded as fentry), and no
 * take is needed: the patch's gate pushes the call's entry.
 */
static int load_snapshot_target(struct snapshot_loader *sl, const struct snapshot_target *t,
				bool companion, const char *dir)
{
	int take_fd = -1, drop_fd = -1, err;

	err = snapshot_loader_load(sl, t, companion, companion ? NULL : &take_fd, &drop_fd);
	if (!err && !companion)
		err = pin_fd_if_missing(take_fd, dir, t->func, "take_prog");
	if (!err)
		err = pin_fd_if_missing(drop_fd, dir, t->func, "drop_prog");
	if (take_fd >= 0)
		close(take_fd);
	if (drop_fd >= 0)
		close(drop_fd);
	return err;
}

/* The snapshot programs of a patch on pp's function, from the patch object. */
static int load_snapshot(struct snapshot_loader *sl, const struct patch_prog *pp,
			 const struct patch_meta *meta, const char *dir, bool exit_side)
{
	struct snapshot_target t = {
		.func = pp->func,
		.func_key = pp->func_key,
		.slot = meta->slot,
		.gen = meta->gen,
		.exit_side = exit_side,
	};

	return load_snapshot_target(sl, &t, pp->companion, dir);
}

int restore_snapshot_programs(const struct patch_meta *meta, const char *dir, const char *func)
{
	struct snapshot_target t = {
		.func = func,
		.slot = meta->slot,
		.gen = meta->gen,
		.exit_side = meta_snap_mode(meta, func) == BPFLP_SNAP_EXIT,
	};
	struct snapshot_loader *sl;
	int err = -ENOENT;

	for (__u32 i = 0; i < meta->nr_funcs && err; i++)
		if (!strcmp(meta->funcs[i].name, func)) {
			t.func_key = meta->funcs[i].key;
			err = meta->funcs[i].route == FUNC_ROUTE_COMPANION ? -EOPNOTSUPP : 0;
		}
	if (err)
		return err;
	sl = snapshot_loader_new();
	if (!sl)
		return -ENOMEM;
	err = load_snapshot_target(sl, &t, false, dir);
	snapshot_loader_free(sl);
	return err;
}

/* Is po->progs[i] the first program of the patch on its function? */
static bool first_on_func(const struct patch_object *po, int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(po->progs[j].func, po->progs[i].func))
			return false;
	return true;
}

int pin_missing_programs(struct patch_object *po, const struct patch_meta *meta, const char *dir)
{
	struct snapshot_loader *sl = snapshot_loader_new();
	char what[32];
	int err = sl ? 0 : -ENOMEM;

	for (int i = 0; i < po->nr_progs && !err; i++) {
		const struct patch_prog *pp = &po->progs[i];

		snprintf(what, sizeof(what), "%s_prog", bpflp_kind_name(pp->kind));
		err = pin_prog_if_missing(pp->prog, dir, pp->func, what);
		if (!err && first_on_func(po, i))
			err = load_snapshot(sl, pp, meta, dir, patch_has_fexit_on(po, pp->func));
	}
	if (err)
		p_err("cannot pin the programs of %s again in %s: %s", po->info.name, dir,
		      strerror(-err));
	snapshot_loader_free(sl);
	return err;
}

/* The companion route: the module, loaded on first need, runs the program and its drop. */
static int attach_companion(struct snapshot_loader *sl, const struct patch_prog *pp,
			    const struct patch_meta *meta, const char *dir)
{
	int err;

	fault_point("module-load");
	err = companion_module_ensure_loaded();
	if (err)
		return err;
	err = load_snapshot(sl, pp, meta, dir, false);
	if (err) {
		p_err("cannot load bpflp's snapshot drop for %s: %s", pp->func, strerror(-err));
		return err;
	}
	err = companion_attach_pinned(dir, pp->func);
	if (err == -EBUSY)
		p_err("cannot replace %s through the companion module: another ftrace user that modifies the instruction pointer (a livepatch or kprobe override) holds it",
		      pp->func);
	else if (err)
		p_err("cannot attach the replacement of %s to the companion module: %s", pp->func,
		      strerror(-err));
	if (!err)
		fault_point("attach-companion");
	return err;
}

/* The patch's own program po->progs[i]: a link, or the companion module's attachment. */
static int attach_prog(struct snapshot_loader *sl, struct patch_object *po, int i,
		       const struct patch_meta *meta, const char *dir)
{
	const struct patch_prog *pp = &po->progs[i];
	char what[32], link_what[32];
	int err;

	if (pp->companion)
		return attach_companion(sl, pp, meta, dir);
	snprintf(what, sizeof(what), "%s_prog", bpflp_kind_name(pp->kind));
	snprintf(link_what, sizeof(link_what), "%s_link", bpflp_kind_name(pp->kind));
	err = attach_pinned(dir, pp->func, what, link_what,
			    bpf_program__expected_attach_type(pp->prog));
	if (err == -E2BIG)
		p_err("cannot attach %s to %s: the kernel's limit of %d BPF links on it is reached (links detached by the last transaction may take a moment to go): retry",
		      bpflp_kind_name(pp->kind), pp->func, KERNEL_MAX_TRAMP_LINKS);
	else if (err)
		p_err("cannot attach %s to %s: %s", bpflp_kind_name(pp->kind), pp->func,
		      strerror(-err));
	if (!err)
		fault_point("attach-prog");
	return err;
}

/* Does the patch take and drop on po->progs[i]'s function (the first of it there)? */
static bool has_snapshot_links(const struct patch_object *po, int i, bool snap)
{
	const struct patch_prog *pp = &po->progs[i];

	if (!first_on_func(po, i) || pp->companion)
		return false;
	return snap || patch_snap_mode(po, pp) == BPFLP_SNAP_EXIT;
}

static int attach_all(struct snapshot_loader *sl, struct patch_object *po,
		      const struct patch_meta *meta, const char *dir, struct commit_ctx *snap_cc)
{
	char pin[PATH_MAX], what[32];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, NULL, "stats") ?:
		      bpf_map__pin(bpf_object__find_map_by_name(po->obj, "bpflp_stats"), pin);
	for (int cb = CB_POST_PATCH; !err && cb <= CB_POST_UNPATCH; cb++) {
		if (!po->callbacks[cb])
			continue;
		snprintf(what, sizeof(what), "cb_%s", patch_callback_names[cb]);
		err = pin_prog(po->callbacks[cb], dir, NULL, what);
	}
	for (int i = 0; !err && i < po->nr_progs; i++) {
		snprintf(what, sizeof(what), "%s_prog", bpflp_kind_name(po->progs[i].kind));
		err = pin_prog(po->progs[i].prog, dir, po->progs[i].func, what);
	}
	if (err) {
		p_err("cannot pin the programs, maps and callbacks of %s in %s: %s", po->info.name,
		      dir, strerror(-err));
		return err;
	}
	/*
	 * Drops first; then the patch's fentry programs, its takes, and its
	 * other programs: on every trampoline state on the way, a take or a
	 * gate that may push has its drop, and from the take on, the first
	 * program of a call is this patch's (see bpf/snapshot.bpf.c).
	 * store_clear_dir() detaches takes first and drops last. Snapshot
	 * programs are pinned on every function, for a later transaction.
	 */
	for (int i = 0; i < po->nr_progs; i++) {
		const struct patch_prog *pp = &po->progs[i];
		bool linked;

		if (!first_on_func(po, i) || pp->companion)
			continue;
		linked = has_snapshot_links(po, i, snap_cc);
		err = load_snapshot(sl, pp, meta, dir, patch_has_fexit_on(po, pp->func));
		if (!err && linked)
			err = attach_pinned(dir, pp->func, "drop_prog", "drop_link", BPF_TRACE_FEXIT);
		if (err) {
			p_err("cannot attach bpflp's snapshot programs to %s: %s", pp->func,
			      strerror(-err));
			return err;
		}
		if (linked)
			fault_point("attach-drop");
	}
	if (snap_cc) {
		err = snap_slot(snap_cc, meta->slot);
		if (err) {
			p_err("cannot mark slot %u as snapped in %s/bpflp_state: %s", meta->slot,
			      STORE_ROOT, strerror(-err));
			return err;
		}
	}
	for (int i = 0; i < po->nr_progs && !err; i++)
		if (po->progs[i].kind == BPFLP_KIND_FENTRY)
			err = attach_prog(sl, po, i, meta, dir);
	for (int i = 0; i < po->nr_progs && !err; i++) {
		if (!has_snapshot_links(po, i, snap_cc))
			continue;
		err = attach_pinned(dir, po->progs[i].func, "take_prog", "take_link",
				    BPF_TRACE_FENTRY);
		if (err)
			p_err("cannot attach bpflp's snapshot program to %s: %s", po->progs[i].func,
			      strerror(-err));
		else
			fault_point("attach-take");
	}
	for (int i = 0; i < po->nr_progs && !err; i++)
		if (po->progs[i].kind != BPFLP_KIND_FENTRY)
			err = attach_prog(sl, po, i, meta, dir);
	return err;
}

int attach_patch(struct patch_object *po, const struct patch_meta *meta, const char *dir,
		 struct commit_ctx *snap_cc)
{
	struct snapshot_loader *sl = snapshot_loader_new();
	int err;

	if (!sl) {
		p_err("cannot attach %s: out of memory", po->info.name);
		return -ENOMEM;
	}
	err = attach_all(sl, po, meta, dir, snap_cc);
	snapshot_loader_free(sl);
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

int kernel_probe_tracing(char *why, size_t size)
{
	static const char *const targets[] = { "bpf_fentry_test1", "security_file_open" };
	struct snapshot *skel;
	int err = -ENOENT;

	/* Load (not attach) bpflp's own fentry/fexit pair on a function every kernel traces. */
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]) && err == -ENOENT; i++) {
		if (kernel_func_btf_id(targets[i]) < 0)
			continue;
		skel = snapshot__open();
		if (!skel)
			return -errno;
		err = bpf_program__set_attach_target(skel->progs.bpflp_take, 0, targets[i]) ?:
			      bpf_program__set_attach_target(skel->progs.bpflp_drop, 0, targets[i]) ?:
			      snapshot__load(skel);
		snapshot__destroy(skel);
	}
	if (err == -EPERM)
		snprintf(why, size,
			 "this kernel refuses to load fentry/fexit programs (EPERM before the verifier runs): bpflp cannot patch it; run it on a kernel that allows BPF trampolines (see the test VM)");
	else if (err == -ENOENT)
		snprintf(why, size,
			 "this kernel has no BTF for the functions bpflp probes with: bpflp needs CONFIG_DEBUG_INFO_BTF");
	else if (err)
		snprintf(why, size, "this kernel cannot load bpflp's fentry/fexit programs: %s",
			 strerror(-err));
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
	struct timespec ts;
	__u64 value;

	if (slot < BPFLP_MAX_SLOTS && !bpf_map_lookup_elem(cc->armed_fd, &slot, &value) &&
	    (value & SLOT_RELEASED))
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	return arm_slot(cc, slot, SLOT_RELEASED | ((__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec));
}
