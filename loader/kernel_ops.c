// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "commit.skel.h"
#include "snapshot.skel.h"
#include "kernel_ops.h"
#include "log.h"
#include "output.h"

static const char *const shared_maps[] = { "bpflp_state", "bpflp_cover", "bpflp_snap" };

void fault_point(const char *step)
{
	const char *want = getenv("BPFLP_FAULT");
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pr_debug("bpflp: step %s at %ld.%06ld\n", step, (long)now.tv_sec, now.tv_nsec / 1000);
	if (want && !strcmp(want, step))
		kill(getpid(), SIGKILL);
}

/* Point an object's shared maps at their pins: libbpf reuses them or creates and pins them. */
static int share_maps(struct bpf_object *obj)
{
	char pin[PATH_MAX];

	for (size_t i = 0; i < sizeof(shared_maps) / sizeof(shared_maps[0]); i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, shared_maps[i]);
		int err;

		if (!map)
			return -ENOENT;
		snprintf(pin, sizeof(pin), "%s/%s", STORE_ROOT, shared_maps[i]);
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

static int pin_link(struct bpf_link *link, const char *dir, const char *func, const char *what)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, what);
	if (!err)
		err = bpf_link__pin(link, pin);
	bpf_link__destroy(link);	/* the pin keeps it attached */
	return err;
}

static int pin_prog(struct bpf_program *prog, const char *dir, const char *func, const char *what)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, func, what);
	return err ?: bpf_program__pin(prog, pin);
}

/* bpflp's own fentry that snapshots the commit word for each call of func. */
static int attach_snapshot(const struct patch_prog *pp, const char *dir)
{
	struct snapshot *skel;
	struct bpf_link *link;
	int err;

	skel = snapshot__open();
	if (!skel)
		return -errno;
	skel->rodata->target_key = pp->func_key;
	err = bpf_program__set_attach_target(skel->progs.bpflp_snapshot, 0, pp->func);
	if (!err)
		err = share_maps(skel->obj);
	if (!err)
		err = snapshot__load(skel);
	if (!err)
		err = pin_prog(skel->progs.bpflp_snapshot, dir, pp->func, "snap_prog");
	if (!err) {
		link = bpf_program__attach_trace(skel->progs.bpflp_snapshot);
		err = link ? pin_link(link, dir, pp->func, "snap_link") : -errno;
	}
	snapshot__destroy(skel);
	if (err)
		p_err("cannot attach bpflp's snapshot program to %s: %s", pp->func, strerror(-err));
	return err;
}

static int attach_one(const struct patch_prog *pp, const char *dir)
{
	char what[32];
	struct bpf_link *link;
	int err;

	snprintf(what, sizeof(what), "%s_prog", bpflp_kind_name(pp->kind));
	err = pin_prog(pp->prog, dir, pp->func, what);
	if (err) {
		p_err("cannot pin program %s in %s: %s", bpf_program__name(pp->prog), dir, strerror(-err));
		return err;
	}
	link = bpf_program__attach_trace(pp->prog);
	if (!link) {
		err = -errno;
		p_err("cannot attach %s to %s: %s", bpflp_kind_name(pp->kind), pp->func, strerror(-err));
		return err;
	}
	snprintf(what, sizeof(what), "%s_link", bpflp_kind_name(pp->kind));
	err = pin_link(link, dir, pp->func, what);
	if (err)
		p_err("cannot pin the %s link of %s in %s: %s", bpflp_kind_name(pp->kind), pp->func, dir,
		      strerror(-err));
	return err;
}

int attach_patch(struct patch_object *po, const char *dir)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, NULL, "stats") ?:
	      bpf_map__pin(bpf_object__find_map_by_name(po->obj, "bpflp_stats"), pin);
	for (int cb = CB_POST_PATCH; !err && cb <= CB_POST_UNPATCH; cb++) {
		char what[32];

		if (!po->callbacks[cb])
			continue;
		snprintf(what, sizeof(what), "cb_%s", patch_callback_names[cb]);
		err = pin_prog(po->callbacks[cb], dir, NULL, what);
	}
	if (err) {
		p_err("cannot pin the maps and callbacks of %s in %s: %s", po->info.name, dir, strerror(-err));
		return err;
	}
	/* Snapshots first: a gate must never run without its call's snapshot. */
	for (int i = 0; i < po->nr_progs; i++) {
		if (po->progs[i].kind != BPFLP_KIND_FMOD_RET)
			continue;
		err = attach_snapshot(&po->progs[i], dir);
		if (err)
			return err;
		fault_point("attach-snapshot");
	}
	for (int i = 0; i < po->nr_progs; i++) {
		err = attach_one(&po->progs[i], dir);
		if (err)
			return err;
		fault_point("attach-prog");
	}
	return 0;
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

int cover_sync(struct commit_ctx *cc, const struct patch_meta *const *metas, int nr)
{
	static __u64 entries[BPFLP_MAX_SLOTS * BPFLP_MAX_FUNCS][2];
	__u64 key, next, *prev = NULL;
	int nr_entries = 0, err = 0;

	for (int m = 0; m < nr; m++)
		for (__u32 f = 0; f < metas[m]->nr_funcs && !err; f++)
			err = cover_add(entries, &nr_entries, metas[m]->funcs[f].key,
					1ULL << metas[m]->slot);
	for (int i = 0; i < nr_entries && !err; i++)
		if (bpf_map_update_elem(cc->cover_fd, &entries[i][0], &entries[i][1], BPF_ANY))
			err = -errno;
	/* Drop functions none of the given patches cover any more. */
	while (!err && !bpf_map_get_next_key(cc->cover_fd, prev, &next)) {
		bool wanted = false;

		for (int i = 0; i < nr_entries && !wanted; i++)
			wanted = entries[i][0] == next;
		if (!wanted && !bpf_map_delete_elem(cc->cover_fd, &next))
			continue;	/* restart from the same predecessor */
		key = next;
		prev = &key;
	}
	if (err)
		p_err("cannot update %s/bpflp_cover: %s", STORE_ROOT, strerror(-err));
	return err;
}
