// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "kernel.h"
#include "kernel_ops.h"
#include "log.h"
#include "output.h"
#include "patch_object.h"
#include "transaction.h"

/* Everything a transaction holds; released in one place. */
struct txn {
	int lock_fd;
	struct registry reg;
	struct commit_ctx cc;
	__u64 word;		/* commit word when the transaction began */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int txn_begin(struct txn *t)
{
	__u64 recorded;
	int err;

	memset(t, 0, sizeof(*t));
	t->lock_fd = -1;
	err = kernel_require_caps();
	if (!err)
		err = store_ensure();
	if (err)
		return err;
	t->lock_fd = store_lock();
	if (t->lock_fd < 0)
		return t->lock_fd;
	err = store_load(&t->reg);
	if (err) {
		p_err("cannot read the patch records in %s: %s", STORE_PATCHES, strerror(-err));
		return err;
	}
	err = commit_ctx_open(&t->cc);
	if (err)
		return err;
	err = store_read_commit_word(&t->word);
	if (err) {
		p_err("cannot read the commit word: %s", strerror(-err));
		return err;
	}
	recorded = registry_active_mask(&t->reg);
	if (t->word != recorded) {
		p_err("bpflp state is inconsistent: commit word %#llx, records say %#llx; run 'bpflp recover'",
		      (unsigned long long)t->word, (unsigned long long)recorded);
		return -EUCLEAN;
	}
	return 0;
}

static void txn_end(struct txn *t)
{
	commit_ctx_close(&t->cc);
	registry_free(&t->reg);
	store_unlock(t->lock_fd);
}

/* Records of the active patches, plus extra if given: whose slots cover what. */
static int active_metas(struct txn *t, const struct patch_meta *extra,
			const struct patch_meta **metas)
{
	int nr = 0;

	for (int i = 0; i < t->reg.nr; i++) {
		const struct patch_meta *m = &t->reg.recs[i].meta;

		if (m->status == PATCH_ACTIVE)
			metas[nr++] = m;
	}
	if (extra)
		metas[nr++] = extra;
	return nr;
}

static int sync_cover(struct txn *t, const struct patch_meta *extra)
{
	const struct patch_meta *metas[BPFLP_MAX_SLOTS + 1];

	return cover_sync(&t->cc, metas, active_metas(t, extra, metas));
}

static int pick_slot(struct txn *t, bool stack, __u32 *slot)
{
	int top = -1;

	if (!stack) {
		/* The whole active set goes away at the commit: any slot it does not use. */
		for (int s = 0; s < BPFLP_MAX_SLOTS; s++) {
			if (!(t->word & (1ULL << s))) {
				*slot = s;
				return 0;
			}
		}
	} else {
		/* Newer stacked patches win, and newer means a higher slot. */
		for (int s = 0; s < BPFLP_MAX_SLOTS; s++)
			if (t->word & (1ULL << s))
				top = s;
		if (top + 1 < BPFLP_MAX_SLOTS) {
			*slot = top + 1;
			return 0;
		}
	}
	p_err("no free patch slot (%d in use): apply a cumulative patch without --stack to collapse the stack",
	      BPFLP_MAX_SLOTS);
	return -ENOSPC;
}

static void fill_meta(struct patch_meta *meta, const struct patch_object *po, __u32 slot, bool stack)
{
	memset(meta, 0, sizeof(*meta));
	meta->magic = META_MAGIC;
	meta->abi_version = BPFLP_ABI_VERSION;
	memcpy(meta->name, po->info.name, sizeof(meta->name));
	meta->version = po->info.version;
	meta->slot = slot;
	meta->mode = stack ? MODE_STACK : MODE_REPLACE;
	meta->status = PATCH_STAGED;
	meta->nr_funcs = po->nr_progs;
	meta->applied_at = meta->changed_at = now_ns();
	if (!realpath(po->path, meta->object))
		snprintf(meta->object, sizeof(meta->object), "%s", po->path);
	for (int cb = 0; cb < CB_COUNT; cb++)
		if (po->callbacks[cb])
			meta->callbacks |= 1U << cb;
	for (int i = 0; i < po->nr_progs; i++) {
		snprintf(meta->funcs[i].name, sizeof(meta->funcs[i].name), "%s", po->progs[i].func);
		meta->funcs[i].addr = po->progs[i].func_addr;
		meta->funcs[i].kind = po->progs[i].kind;
	}
}

static int run_object_callback(struct patch_object *po, enum patch_callback cb, int *retval)
{
	int err;

	*retval = 0;
	if (!po->callbacks[cb])
		return 0;
	err = run_callback_fd(bpf_program__fd(po->callbacks[cb]), retval);
	if (err)
		p_err("cannot run the %s callback of %s: %s", patch_callback_names[cb], po->info.name,
		      strerror(-err));
	return err;
}

static int run_pinned_callback(const struct patch_record *rec, enum patch_callback cb, int *retval)
{
	char what[32], pin[PATH_MAX];
	int fd, err;

	*retval = 0;
	if (!(rec->meta.callbacks & (1U << cb)))
		return 0;
	snprintf(what, sizeof(what), "cb_%s", patch_callback_names[cb]);
	store_pin_path(pin, sizeof(pin), rec->dir, NULL, what);
	fd = bpf_obj_get(pin);
	if (fd < 0) {
		err = -errno;
		p_err("cannot open the %s callback of %s (%s): %s", patch_callback_names[cb],
		      rec->meta.name, pin, strerror(-err));
		return err;
	}
	err = run_callback_fd(fd, retval);
	close(fd);
	if (err)
		p_err("cannot run the %s callback of %s: %s", patch_callback_names[cb], rec->meta.name,
		      strerror(-err));
	return err;
}

/* Stage: load, pre_patch, attach with the gate shut. Undone entirely on failure. */
static int stage_patch(struct txn *t, struct patch_object *po, struct patch_meta *meta,
		       struct apply_result *res)
{
	struct patch_record *stale;
	char dir[PATH_MAX];
	int err;

	err = patch_object_load(po, meta->slot, STORE_ROOT);
	if (!err)
		err = patch_object_check_gates(po, t->cc.state_fd);
	if (!err)
		err = run_object_callback(po, CB_PRE_PATCH, &res->pre_patch_ret);
	if (err)
		return err;
	if (res->pre_patch_ret) {
		p_err("the pre_patch callback of %s returned %d: apply aborted, nothing changed",
		      po->info.name, res->pre_patch_ret);
		return -ECANCELED;
	}
	fault_point("staging");
	store_patch_dir(dir, sizeof(dir), meta->name, meta->version);
	/* A replaced or disabled record of the same version gives way to the new one. */
	stale = registry_find(&t->reg, meta->name, meta->version);
	if (stale)
		store_clear_dir(stale->dir, false);
	if (mkdir(dir, 0700)) {
		err = -errno;
		p_err("cannot create %s: %s", dir, strerror(-err));
		return err;
	}
	err = store_write_meta(dir, meta);
	if (!err)
		err = attach_patch(po, dir);
	if (!err)
		err = sync_cover(t, meta);
	if (err)
		goto undo;
	fault_point("staged");
	return 0;
undo:
	store_clear_dir(dir, false);
	sync_cover(t, NULL);
	return err;
}

/* After the commit: mark, run post_patch, detach what was replaced. */
static int finish_apply(struct txn *t, struct patch_object *po, struct patch_meta *meta,
			bool stack, struct apply_result *res)
{
	bool replaced_now[t->reg.nr + 1];
	char dir[PATH_MAX];
	int ret, err;

	memset(replaced_now, 0, sizeof(replaced_now));
	store_patch_dir(dir, sizeof(dir), meta->name, meta->version);
	meta->status = PATCH_ACTIVE;
	err = store_write_meta(dir, meta);
	fault_point("committed");
	for (int i = 0; !stack && i < t->reg.nr; i++) {
		struct patch_record *old = &t->reg.recs[i];

		if (old->meta.status != PATCH_ACTIVE)
			continue;
		replaced_now[i] = true;
		old->meta.status = PATCH_REPLACED;
		old->meta.changed_at = now_ns();
		snprintf(old->meta.replaced_by, sizeof(old->meta.replaced_by), "%s@%u", meta->name,
			 meta->version);
		err = store_write_meta(old->dir, &old->meta) ?: err;
		snprintf(res->replaced[res->nr_replaced++], sizeof(res->replaced[0]), "%s@%u",
			 old->meta.name, old->meta.version);
	}
	if (!run_object_callback(po, CB_POST_PATCH, &ret) && ret)
		pr_warn("bpflp: warning: post_patch callback of %s returned %d\n", meta->name, ret);
	for (int i = 0; i < t->reg.nr; i++) {
		if (!replaced_now[i])
			continue;
		err = store_clear_dir(t->reg.recs[i].dir, true) ?: err;
		fault_point("detach-old");
	}
	err = sync_cover(t, meta) ?: err;
	if (err)
		p_err("%s@%u is active, but cleaning up after the commit failed: %s; run 'bpflp recover'",
		      meta->name, meta->version, strerror(-err));
	return err;
}

int txn_apply(const char *path, bool stack, struct apply_result *res)
{
	struct patch_record *existing;
	struct patch_object po;
	struct txn t;
	__u32 slot;
	int err;

	memset(res, 0, sizeof(*res));
	err = patch_object_open(&po, path);
	if (err)
		return err;
	err = txn_begin(&t);
	if (err)
		goto out;
	existing = registry_find(&t.reg, po.info.name, po.info.version);
	if (existing && existing->meta.status == PATCH_ACTIVE) {
		res->outcome = APPLY_ALREADY_ACTIVE;
		res->meta = existing->meta;
		goto out;
	}
	if (stack && registry_find_spec(&t.reg, po.info.name)) {
		p_err("a version of %s is already active: apply %s without --stack to replace it",
		      po.info.name, path);
		err = -EEXIST;
		goto out;
	}
	err = pick_slot(&t, stack, &slot);
	if (err)
		goto out;
	fill_meta(&res->meta, &po, slot, stack);
	err = stage_patch(&t, &po, &res->meta, res);
	if (err)
		goto out;
	fault_point("commit");
	err = commit_word(&t.cc, t.word, (stack ? t.word : 0) | (1ULL << slot));
	if (err) {
		char dir[PATH_MAX];

		store_patch_dir(dir, sizeof(dir), res->meta.name, res->meta.version);
		store_clear_dir(dir, false);
		sync_cover(&t, NULL);
		goto out;
	}
	err = finish_apply(&t, &po, &res->meta, stack, res);
out:
	txn_end(&t);
	patch_object_close(&po);
	return err;
}

int txn_disable(const char *spec, struct disable_result *res)
{
	struct patch_record *rec;
	struct txn t;
	__u64 bit;
	int err;

	memset(res, 0, sizeof(*res));
	err = txn_begin(&t);
	if (err)
		goto out;
	rec = registry_find_spec(&t.reg, spec);
	if (!rec || rec->meta.status != PATCH_ACTIVE) {
		p_err("no active patch '%s': see 'bpflp list' for what is active", spec);
		err = -ENOENT;
		goto out;
	}
	bit = 1ULL << rec->meta.slot;
	err = run_pinned_callback(rec, CB_PRE_UNPATCH, &res->pre_unpatch_ret);
	if (err)
		goto out;
	fault_point("commit");
	err = commit_word(&t.cc, t.word, t.word & ~bit);
	if (err)
		goto out;
	rec->meta.status = PATCH_DISABLED;
	rec->meta.changed_at = now_ns();
	err = store_write_meta(rec->dir, &rec->meta);
	fault_point("committed");
	run_pinned_callback(rec, CB_POST_UNPATCH, &res->post_unpatch_ret);
	err = store_clear_dir(rec->dir, true) ?: err;
	fault_point("detach-old");
	err = sync_cover(&t, NULL) ?: err;
	res->meta = rec->meta;
	if (err)
		p_err("%s is disabled, but cleaning up after the commit failed: %s; run 'bpflp recover'",
		      spec, strerror(-err));
out:
	txn_end(&t);
	return err;
}
