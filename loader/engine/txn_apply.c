// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp apply as a transaction: pick a slot, check the room on every
 * trampoline, stage the patch with its gates shut, commit, finish.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "commit.h"
#include "declared.h"
#include "dispatch_set.h"
#include "drift.h"
#include "fault.h"
#include "fingerprints.h"
#include "journal.h"
#include "kernel.h"
#include "livepatch_txn.h"
#include "log.h"
#include "output.h"
#include "patch_changes.h"
#include "patch_object.h"
#include "patch_state.h"
#include "pins.h"
#include "shadow.h"
#include "signature.h"
#include "slots.h"
#include "snapshot_links.h"
#include "stage.h"
#include "teardown.h"
#include "txn.h"
#include "txn_internal.h"
#include "util.h"
#include "word_bits.h"

/* How long a slot choice waits for a replaced patch's programs to leave the kernel. */
#define SLOT_WAIT_MS 5000

/*
 * A slot the word does not use and whose previous instance has no program
 * left in the kernel, the one released longest ago first (slots.h):
 * bpflp_order, not the slot number, says which stacked patch is newer, so
 * freed slots are reused. A stack may not take the last free slot: a
 * cumulative replace attaches before it detaches and needs one, and must
 * always be possible.
 */
static int pick_slot(struct txn *t, bool stack, const char *name, __u32 *slot)
{
	int in_use = __builtin_popcountll(word_slots(&t->reg, t->word)), err;
	__u64 lingering;

	if (stack && in_use >= BPFLP_PATCH_SLOTS - 1) {
		p_err("cannot stack %s: %d patches are active, the most bpflp stacks (%d slots, one kept free so a cumulative replace always fits); apply a cumulative patch without --stack, or disable one",
		      name, in_use, BPFLP_PATCH_SLOTS);
		return -ENOSPC;
	}
	/* As an older bpflp would: only while bit 63 is clear, or the commit would change nothing. */
	if (fault_legacy_slot() && !(t->word & WORD_SIDE_MASK)) {
		*slot = BPFLP_SIDE_BIT;
		return 0;
	}
	err = slot_pick(t->cc.armed_fd, t->cc.snap_fd, word_slots(&t->reg, t->word), SLOT_WAIT_MS,
			slot, &lingering);
	if (err == -ENOSPC)
		p_err("no free patch slot (%d in use): the state was changed by hand; run 'bpflp recover'",
		      in_use);
	else if (err == -EBUSY)
		p_err("no free patch slot for %s: programs of earlier patches in slots %#llx are still in the kernel after %d ms (held by an open descriptor or a pin outside %s?); retry, or find them with 'bpftool prog'",
		      name, (unsigned long long)lingering, SLOT_WAIT_MS, STORE_ROOT);
	else if (err)
		p_err("cannot list the BPF programs in the kernel to choose a slot for %s: %s",
		      name, strerror(-err));
	else
		pr_debug("%s gets slot %u (slots %#llx still had programs)\n", name, *slot,
			 (unsigned long long)lingering);
	return err;
}

/* Links a patch takes on one function: bpflp's take and drop, and its programs there. */
#define SNAPSHOT_LINKS 2

/* Kept free by --stack on every function, so a cumulative replace always fits. */
#define REPLACE_RESERVE (SNAPSHOT_LINKS + 3)

/*
 * The kernel refuses a link past KERNEL_MAX_TRAMP_LINKS on one function
 * with a bare E2BIG, halfway through staging: check every function of the
 * patch first, counting every tracing link already there (ours, replaced
 * ones still attached until the commit, and other tools').
 */
static int check_trampoline_room(const struct patch_object *po, bool stack)
{
	int limit = KERNEL_MAX_TRAMP_LINKS - (stack ? REPLACE_RESERVE : 0);
	__u64 keys[BPFLP_MAX_FUNCS];
	int counts[BPFLP_MAX_FUNCS], err;

	for (int i = 0; i < po->nr_progs; i++)
		keys[i] = po->progs[i].func_key;
	err = kernel_count_tramp_links(keys, po->nr_progs, counts);
	if (err) {
		p_err("cannot count the BPF links on the functions of %s: %s", po->info.name,
		      strerror(-err));
		return err;
	}
	for (int i = 0; i < po->nr_progs; i++) {
		int total = counts[i] + SNAPSHOT_LINKS;

		for (int j = 0; j < po->nr_progs; j++)
			total += patch_progs_same_func(&po->progs[j], &po->progs[i]);
		if (total <= limit)
			continue;
		if (stack)
			p_err("cannot stack %s: %s would carry %d BPF trampoline links; the kernel allows %d per function and bpflp keeps %d free so a cumulative replace always fits: apply a cumulative patch without --stack, or disable a stacked patch",
			      po->info.name, po->progs[i].func, total, KERNEL_MAX_TRAMP_LINKS,
			      REPLACE_RESERVE);
		else
			p_err("cannot apply %s: %s would carry %d BPF trampoline links until the patches it replaces are detached; the kernel allows %d per function: detach other tools' programs there (bpftool link) or disable a patch first",
			      po->info.name, po->progs[i].func, total, KERNEL_MAX_TRAMP_LINKS);
		return -E2BIG;
	}
	return 0;
}

static void fill_meta(struct patch_meta *meta, const struct patch_object *po, __u32 slot,
		      bool stack, bool dispatch)
{
	memset(meta, 0, sizeof(*meta));
	meta->magic = META_MAGIC;
	meta->format = META_VERSION;
	memcpy(meta->name, po->info.name, sizeof(meta->name));
	meta->version = po->info.version;
	meta->slot = slot;
	meta->mode = stack ? MODE_STACK : MODE_REPLACE;
	meta->status = PATCH_STAGED;
	meta->nr_funcs = po->nr_progs;
	meta->applied_at = meta->changed_at = realtime_ns();
	/* Unique to this instance: a slot's next owner has another generation. */
	meta->gen = meta->applied_at;
	/* patch_object_open checked that it fits. */
	memcpy(meta->object, po->real_path, sizeof(meta->object) - 1);
	memcpy(meta->digest, po->digest, sizeof(meta->digest));
	for (int cb = 0; cb < CB_COUNT; cb++)
		if (po->callbacks[cb])
			meta->callbacks |= 1U << cb;
	for (int i = 0; i < po->nr_progs; i++) {
		snprintf(meta->funcs[i].name, sizeof(meta->funcs[i].name), "%s", po->progs[i].func);
		meta->funcs[i].key = po->progs[i].func_key;
		meta->funcs[i].kind = po->progs[i].kind;
		meta->funcs[i].route = dispatch               ? FUNC_ROUTE_DISPATCH :
				       po->progs[i].companion ? FUNC_ROUTE_COMPANION :
								FUNC_ROUTE_TRAMPOLINE;
	}
}

static int run_pre_patch(struct patch_object *po, int *retval)
{
	int err;

	*retval = 0;
	if (!po->callbacks[CB_PRE_PATCH])
		return 0;
	err = run_callback_fd(bpf_program__fd(po->callbacks[CB_PRE_PATCH]), retval);
	if (err) {
		p_err("cannot run the pre_patch callback of %s: %s", po->info.name, strerror(-err));
		return err;
	}
	if (*retval) {
		p_err("the pre_patch callback of %s returned %d: apply aborted, nothing changed",
		      po->info.name, *retval);
		return -ECANCELED;
	}
	return 0;
}

/* As livepatch does: a patch whose pre_patch ran but that never went live gets post_unpatch. */
static void undo_pre_patch(struct txn *t, struct patch_object *po)
{
	int ret = 0, err;

	if (!t->pre_patch_done || !po->callbacks[CB_POST_UNPATCH])
		return;
	err = run_callback_fd(bpf_program__fd(po->callbacks[CB_POST_UNPATCH]), &ret);
	if (err || ret)
		pr_warn("warning: post_unpatch callback of %s after the failed apply: %s\n",
			po->info.name, err ? strerror(-err) : "returned non-zero");
}

/* What the patch declares that outlives it (declared.h), beside its meta. */
static int write_declared(const struct patch_object *po, const char *dir)
{
	struct patch_declared decl = { .magic = DECLARED_MAGIC, .format = DECLARED_VERSION };
	int err;

	shadow_declare(po, &decl);
	patch_state_declare(po, &decl);
	err = declared_write(dir, &decl);
	if (err)
		p_err("cannot record the shadows and states of %s in %s: %s", po->info.name, dir,
		      strerror(-err));
	return err;
}

/* What each program is (fingerprints.h), for the replaces that follow. */
static int write_fingerprints(const struct patch_object *po, const char *dir)
{
	static struct patch_fingerprints fps; /* 40 KB: off the stack */
	int err;

	fps = (struct patch_fingerprints){ .magic = FINGERPRINTS_MAGIC,
					   .format = FINGERPRINTS_VERSION,
					   .nr = (__u32)po->nr_progs };
	for (int i = 0; i < po->nr_progs; i++)
		fps.progs[i] = po->progs[i].fingerprint;
	err = fingerprints_write(dir, &fps);
	if (err)
		p_err("cannot record the fingerprints of %s in %s: %s", po->info.name, dir,
		      strerror(-err));
	return err;
}

/* Stage: load, pre_patch, attach with the gate shut, cover bits. */
static int stage_patch(struct txn *t, struct patch_object *po, struct patch_meta *meta,
		       struct apply_result *res)
{
	struct patch_record *stale;
	int err;

	/*
	 * Dispatched programs are chosen by their stub, which has read the
	 * word: their gates must not read it again (patch.bpf.h).
	 */
	err = patch_object_load(po, dispatch_in_record(meta) ? BPFLP_DISPATCH_SLOT : meta->slot,
				meta->gen, true);
	if (!err)
		err = patch_object_check_gates(po, t->cc.state_fd);
	if (!err)
		err = run_pre_patch(po, &res->pre_patch_ret);
	if (err)
		return err;
	t->pre_patch_done = true;
	stale = registry_find(&t->reg, meta->name, meta->version);
	if (stale) {
		t->journal.has_previous = 1;
		t->journal.previous = stale->meta;
	}
	t->journal.nr_own_pins = po->nr_created_pins;
	memcpy(t->journal.own_pins, po->created_pins, sizeof(t->journal.own_pins));
	err = journal_write(&t->journal);
	if (err) {
		p_err("cannot write the transaction journal %s: %s", JOURNAL_PIN, strerror(-err));
		return err;
	}
	t->journal_written = true;
	fault_point("begin");
	/* A replaced or disabled record of the same version gives way (the journal keeps it). */
	if (stale)
		teardown_patch_dir(stale->dir, false);
	if (mkdir(t->journal.dir, 0700)) {
		err = -errno;
		p_err("cannot create %s: %s", t->journal.dir, strerror(-err));
		return err;
	}
	fault_point("staging");
	err = store_write_meta(t->journal.dir, meta);
	if (!err)
		err = write_declared(po, t->journal.dir);
	if (!err)
		err = write_fingerprints(po, t->journal.dir);
	/* Listed in the journal (own_pins) above: a roll back removes them. */
	if (!err)
		err = shadow_pin_created(po);
	if (!err)
		err = arm_slot(&t->cc, meta->slot, meta->gen);
	if (!err)
		err = attach_patch(po, meta, t->journal.dir,
				   snapshot_needed(&t->reg, meta, meta) ? &t->cc : NULL);
	/* Every stub's next side, this patch's programs in it where it is the newest. */
	if (!err)
		err = dispatch_prepare(&t->cc, &t->reg, NULL, !t->journal.stack, meta,
				       t->journal.dir, t->journal.pre_word, t->journal.post_word);
	if (!err)
		err = txn_sync_gate_maps(t, meta, word_slots(&t->reg, t->word));
	if (!err)
		fault_point("staged");
	return err;
}

static void report_shadows(const struct patch_object *po, struct apply_result *res)
{
	for (int i = 0; i < po->nr_shadows; i++) {
		const struct shadow_decl *s = &po->shadows[i];
		struct apply_shadow *out = &res->shadows[res->nr_shadows++];

		snprintf(out->name, sizeof(out->name), "%s", s->name);
		out->how = s->migrating        ? SHADOW_MIGRATED :
			   s->existing_fd >= 0 ? SHADOW_INHERITED :
						 SHADOW_CREATED;
		out->converted = s->converted;
	}
}

/*
 * Keep pp: the unchanged program that runs on its function (change) if
 * that one is dispatched too, so a stub runs it from either patch. Its
 * pin is opened now: the transaction holds the lock, so it stays.
 */
static int keep_if_dispatched(struct patch_prog *pp, const struct prog_change_info *change,
			      const struct registry *reg)
{
	const struct patch_record *rec = &reg->recs[change->running_rec];
	const struct func_meta *f = &rec->meta.funcs[change->running_idx];
	char pin[PATH_MAX];
	int fd;

	if (change->change != PROG_UNCHANGED || f->route != FUNC_ROUTE_DISPATCH)
		return 0;
	if (store_pin_path(pin, sizeof(pin), rec->dir, f->name, pin_of_kind(f->kind, false)->prog))
		return 0;
	fd = bpf_obj_get(pin);
	if (fd < 0)
		return 0; /* its pin was deleted by hand: load this one */
	pp->kept = true;
	pp->kept_fd = fd;
	/* Not loaded, so not verified again: the point of keeping it. */
	return bpf_program__set_autoload(pp->prog, false);
}

/*
 * What the apply changes, program by program, against what runs; with
 * dispatch, the unchanged dispatched programs are kept rather than loaded
 * (docs/design.md, "Kept programs").
 */
static int plan_changes(struct patch_object *po, const struct registry *reg, bool stack,
			bool dispatch, struct apply_result *res)
{
	struct patch_changes *c = malloc(sizeof(*c));
	int err;

	if (!c) {
		p_err("cannot apply %s: out of memory", po->path);
		return -ENOMEM;
	}
	err = patch_changes_compute(po, reg, c);
	if (!err) {
		res->nr_new = c->nr_new;
		res->nr_changed = c->nr_changed;
		res->nr_unchanged = c->nr_unchanged;
		res->nr_dropped = stack ? 0 : c->nr_dropped; /* a stacked patch replaces nothing */
		for (int i = 0; dispatch && i < po->nr_progs && !err; i++) {
			err = keep_if_dispatched(&po->progs[i], &c->progs[i], reg);
			res->nr_kept += po->progs[i].kept;
		}
		if (err)
			p_err("cannot keep the unchanged programs of %s: %s", po->path,
			      strerror(-err));
		patch_changes_free(c);
	}
	free(c);
	return err;
}

static int apply_in(struct patch_object *po, struct txn *t, const char *path, bool stack,
		    bool dispatch, bool allow_insecure, const struct lp_module_file *module,
		    int timeout_s, const struct patch_signer *signer, struct apply_result *res)
{
	struct patch_record *existing;
	struct lp_plan lp;
	bool lp_switched = false;
	__u32 slot;
	int err;

	memset(res, 0, sizeof(*res));
	err = patch_object_open(po, path, allow_insecure);
	if (!err && dispatch)
		err = patch_check_dispatchable(po);
	if (err) {
		patch_object_close(po);
		return err;
	}
	if (signer && signer->present && memcmp(signer->data_sha256, po->digest, sizeof(po->digest))) {
		p_err("%s changed after its signature was checked: apply it again", path);
		patch_object_close(po);
		return -EBADMSG;
	}
	err = txn_begin(t, NULL, true);
	if (err)
		goto out;
	existing = registry_find(&t->reg, po->info.name, po->info.version);
	if (existing && memcmp(existing->meta.digest, po->digest, sizeof(po->digest))) {
		char was[13], now[13];

		sha256_hex(existing->meta.digest, 6, was);
		sha256_hex(po->digest, 6, now);
		p_err("%s@%u is already %s with different code (sha256 %s..., %s has %s...): bump the version in BPFLP_PATCH%s",
		      po->info.name, po->info.version,
		      existing->meta.status == PATCH_ACTIVE ? "active" : "recorded", was, path, now,
		      existing->meta.status == PATCH_ACTIVE ?
			      "" :
			      " (or drop the old record with 'bpflp gc')");
		err = -EEXIST;
		goto out;
	}
	if (existing && existing->meta.status == PATCH_ACTIVE) {
		if (dispatch != dispatch_in_record(&existing->meta))
			pr_warn("warning: %s@%u is active %s; %s changes nothing for an active patch: apply a new version to change how it runs\n",
				existing->meta.name, existing->meta.version,
				dispatch ? "with gated links" : "dispatched",
				dispatch ? "--dispatch" : "leaving out --dispatch");
		res->meta = existing->meta;
		err = txn_repair_active(existing, po, &res->repairs);
		res->outcome = res->repairs.nr ? APPLY_REPAIRED : APPLY_ALREADY_ACTIVE;
		goto out;
	}
	if (stack && registry_find_spec(&t->reg, po->info.name)) {
		p_err("a version of %s is already active: apply %s without --stack to replace it",
		      po->info.name, path);
		err = -EEXIST;
		goto out;
	}
	/* Before anything loads: the shadows it takes over, the states it must carry. */
	err = shadow_plan(po, stack) ?: patch_state_check(po, &t->reg, stack);
	if (err)
		goto out;
	/* A cumulative apply takes every active patch out, and their module with them. */
	err = lp_plan_init(&lp, module, &t->reg, stack ? 0 : word_slots(&t->reg, t->word), timeout_s);
	if (!err)
		err = pick_slot(t, stack, po->info.name, &slot);
	if (!err)
		err = check_trampoline_room(po, stack);
	if (!err)
		err = plan_changes(po, &t->reg, stack, dispatch, res);
	if (err)
		goto out;
	fill_meta(&res->meta, po, slot, stack, dispatch);
	if (signer && signer->present) {
		snprintf(res->meta.signer, sizeof(res->meta.signer), "%s", signer->cn);
		memcpy(res->meta.signer_sha256, signer->cert_sha256, sizeof(res->meta.signer_sha256));
	}
	err = stack ? 0 : snapshot_links_for_replace(&t->cc, &t->reg, &res->meta);
	if (err)
		goto out;
	txn_plan_journal(t, JOURNAL_APPLY, (stack ? t->word : 0) | (1ULL << slot), slot);
	t->journal.stack = stack;
	/* Names are at most BPFLP_NAME_MAX characters: always fits. */
	store_patch_dir(t->journal.dir, sizeof(t->journal.dir), res->meta.name, res->meta.version);
	err = stage_patch(t, po, &res->meta, res) ?: epoch_next(&t->cc);
	/* As late as can be: the old patch writes the old entries until the commit. */
	if (!err)
		err = shadow_migrate(po, false);
	if (!err) {
		char who[PATCH_SPEC_MAX + 8];

		snprintf(who, sizeof(who), "%s@%u is in", res->meta.name, res->meta.version);
		err = txn_commit(t, &lp, t->journal.dir, who, &lp_switched);
	}
	if (err && lp_switched)
		goto out; /* recover completes it */
	if (err) {
		if (t->journal_written)
			txn_roll_back(t, &t->journal);
		else
			txn_drop_created_store(t);
		patch_object_unpin_created(po);
		undo_pre_patch(t, po);
		goto out;
	}
	/* Entries the old patch created between the first pass and the commit. */
	if (shadow_migrate(po, true))
		pr_warn("warning: the catch-up migration of %s failed: entries the old patch created during the apply are not carried over\n",
			res->meta.name);
	report_shadows(po, res);
	snprintf(res->module, sizeof(res->module), "%s", lp.step.new_module);
	snprintf(res->module_removed, sizeof(res->module_removed), "%s", lp.step.old_module);
	err = lp_after_commit(&lp);
	if (err) {
		p_err("%s@%u is active, but removing livepatch module %s failed: %s; run 'bpflp recover'",
		      res->meta.name, res->meta.version, lp.step.old_module, strerror(-err));
		goto out;
	}
	for (int i = 0; !stack && i < t->reg.nr; i++)
		if (t->reg.recs[i].meta.status == PATCH_ACTIVE)
			snprintf(res->replaced[res->nr_replaced++], sizeof(res->replaced[0]),
				 "%s@%u", t->reg.recs[i].meta.name, t->reg.recs[i].meta.version);
	err = txn_finish(t, CB_POST_PATCH);
	if (err)
		p_err("%s@%u is active, but cleaning up after the commit failed: %s; run 'bpflp recover'",
		      res->meta.name, res->meta.version, strerror(-err));
	res->meta.status = PATCH_ACTIVE;
out:
	txn_end(t, err);
	patch_object_close(po);
	return err;
}

int txn_apply(const char *path, bool stack, bool dispatch, bool allow_insecure,
	      const struct lp_module_file *module, int timeout_s, const struct patch_signer *signer,
	      struct apply_result *res)
{
	/* A patch object and a transaction are about 290 KB: off the stack. */
	struct {
		struct patch_object po;
		struct txn t;
	} *scratch = calloc(1, sizeof(*scratch));
	int err;

	if (!scratch) {
		p_err("cannot apply %s: out of memory", path);
		return -ENOMEM;
	}
	err = apply_in(&scratch->po, &scratch->t, path, stack, dispatch, allow_insecure, module,
		       timeout_s, signer, res);
	free(scratch);
	return err;
}
