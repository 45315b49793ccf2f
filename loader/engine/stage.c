// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "companion_attach.h"
#include "companion_kmod.h"
#include "fault.h"
#include "kernel.h"
#include "log.h"
#include "output.h"
#include "pinned_link.h"
#include "pins.h"
#include "snapshot_loader.h"
#include "stage.h"
#include "store.h"

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
		err = pin_fd_if_missing(take_fd, dir, t->func, pin_take.prog);
	if (!err)
		err = pin_fd_if_missing(drop_fd, dir, t->func, pin_drop.prog);
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
		if (patch_progs_same_func(&po->progs[j], &po->progs[i]))
			return false;
	return true;
}

int pin_missing_programs(struct patch_object *po, const struct patch_meta *meta, const char *dir)
{
	struct snapshot_loader *sl = snapshot_loader_new();
	int err = sl ? 0 : -ENOMEM;

	for (int i = 0; i < po->nr_progs && !err; i++) {
		const struct patch_prog *pp = &po->progs[i];

		err = pin_prog_if_missing(pp->prog, dir, pp->func,
					  pin_of_kind(pp->kind, pp->companion)->prog);
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
	const struct pin_piece *piece = pin_of_kind(pp->kind, false);
	int err;

	if (pp->companion)
		return attach_companion(sl, pp, meta, dir);
	/* Pinned only: its function's stub runs it (dispatch_set.h). */
	if (meta->funcs[i].route == FUNC_ROUTE_DISPATCH)
		return 0;
	err = attach_pinned(dir, pp->func, piece->prog, piece->link,
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

/*
 * What po->progs[i] brings to its function at rank (pins.h: the order),
 * attached: bpflp's drop and take once per function, the program itself.
 * Snapshot programs are pinned on every function, for a later transaction.
 */
static int attach_piece(struct snapshot_loader *sl, struct patch_object *po, int i,
			enum pin_rank rank, const struct patch_meta *meta, const char *dir,
			struct commit_ctx *snap_cc)
{
	const struct patch_prog *pp = &po->progs[i];
	bool linked = has_snapshot_links(po, i, snap_cc);
	int err = 0;

	switch (rank) {
	case PIN_RANK_DROP:
		if (!first_on_func(po, i) || pp->companion)
			return 0;
		/*
		 * A dispatched function's only reader is its stub: a take and
		 * drop are loaded for it when a transaction needs them
		 * (snapshot_links.c), not two more programs per function now.
		 */
		if (!linked && meta->funcs[i].route == FUNC_ROUTE_DISPATCH)
			return 0;
		err = load_snapshot(sl, pp, meta, dir, patch_has_fexit_on(po, pp->func));
		if (!err && linked)
			err = attach_pinned(dir, pp->func, pin_drop.prog, pin_drop.link,
					    pin_drop.type);
		if (err)
			p_err("cannot attach bpflp's snapshot programs to %s: %s", pp->func,
			      strerror(-err));
		else if (linked)
			fault_point("attach-drop");
		return err;
	case PIN_RANK_TAKE:
		if (!linked)
			return 0;
		err = attach_pinned(dir, pp->func, pin_take.prog, pin_take.link, pin_take.type);
		if (err)
			p_err("cannot attach bpflp's snapshot program to %s: %s", pp->func,
			      strerror(-err));
		else
			fault_point("attach-take");
		return err;
	default:
		if (pin_of_kind(pp->kind, pp->companion)->rank != rank)
			return 0;
		return attach_prog(sl, po, i, meta, dir);
	}
}

static int attach_all(struct snapshot_loader *sl, struct patch_object *po,
		      const struct patch_meta *meta, const char *dir, struct commit_ctx *snap_cc)
{
	char pin[PATH_MAX], what[32];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, NULL, "stats") ?:
		      bpf_map__pin(bpf_object__find_map_by_name(po->obj, PATCH_STATS_MAP), pin);
	for (int cb = CB_POST_PATCH; !err && cb <= CB_POST_UNPATCH; cb++) {
		if (!po->callbacks[cb])
			continue;
		snprintf(what, sizeof(what), "cb_%s", patch_callback_names[cb]);
		err = pin_prog(po->callbacks[cb], dir, NULL, what);
	}
	for (int i = 0; !err && i < po->nr_progs; i++) {
		const struct patch_prog *pp = &po->progs[i];

		if (pp->kept)
			err = pin_fd_if_missing(pp->kept_fd, dir, pp->func,
						pin_of_kind(pp->kind, false)->prog);
		else
			err = pin_prog(pp->prog, dir, pp->func,
				       pin_of_kind(pp->kind, pp->companion)->prog);
	}
	if (err) {
		p_err("cannot pin the programs, maps and callbacks of %s in %s: %s", po->info.name,
		      dir, strerror(-err));
		return err;
	}
	for (int rank = PIN_RANK_DROP; rank <= PIN_RANK_OTHERS && !err; rank++) {
		/* The drops are on: the slot's gates may push from here (snap_slot). */
		if (rank == PIN_RANK_FENTRY && snap_cc)
			err = snap_slot(snap_cc, meta->slot);
		if (err)
			p_err("cannot mark slot %u as snapped in %s/bpflp_state: %s", meta->slot,
			      STORE_ROOT, strerror(-err));
		for (int i = 0; i < po->nr_progs && !err; i++)
			err = attach_piece(sl, po, i, rank, meta, dir, snap_cc);
	}
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
