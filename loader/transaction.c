// SPDX-License-Identifier: GPL-2.0
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
#include "drift.h"
#include "journal.h"
#include "kernel.h"
#include "kernel_ops.h"
#include "log.h"
#include "output.h"
#include "patch_object.h"
#include "transaction.h"
#include "util.h"

/* Everything a transaction holds; released in one place. */
struct txn {
	int lock_fd;
	bool created_store;	/* this transaction made /sys/fs/bpf/bpflp */
	struct registry reg;
	struct commit_ctx cc;
	__u64 word;		/* commit word when the transaction began */
	struct journal journal;
	bool journal_written;	/* from here on, failure means roll_back() */
	bool pre_patch_done;	/* so a failed apply owes post_unpatch */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int reload_registry(struct txn *t)
{
	int err;

	registry_free(&t->reg);
	err = store_load(&t->reg);
	if (err)
		p_err("cannot read the patch records in %s: %s", STORE_PATCHES, strerror(-err));
	return err;
}

/*
 * Make the maps the gates read agree with the active records, plus extra
 * (a patch being staged, the newest) if given: which slots cover which
 * function, and which slots are newer than which.
 */
static int sync_gate_maps(struct txn *t, const struct patch_meta *extra, __u64 keep)
{
	const struct patch_meta *metas[BPFLP_MAX_SLOTS + 1];
	int nr = 0, err;

	/* The registry is sorted oldest apply first. */
	for (int i = 0; i < t->reg.nr && nr < BPFLP_MAX_SLOTS; i++)
		if (t->reg.recs[i].meta.status == PATCH_ACTIVE)
			metas[nr++] = &t->reg.recs[i].meta;
	if (extra)
		metas[nr++] = extra;
	err = order_sync(&t->cc, metas, nr, extra ? (int)extra->slot : -1);
	return err ?: cover_sync(&t->cc, metas, nr, keep);
}

static int run_pinned_callback(const struct patch_record *rec, enum patch_callback cb, int *retval)
{
	char what[32], pin[PATH_MAX];
	int fd, err;

	*retval = 0;
	if (!(rec->meta.callbacks & (1U << cb)))
		return 0;
	snprintf(what, sizeof(what), "cb_%s", patch_callback_names[cb]);
	err = store_pin_path(pin, sizeof(pin), rec->dir, NULL, what);
	fd = err ?: bpf_obj_get(pin);
	if (fd < 0) {
		err = err ?: -errno;
		p_err("cannot open the %s callback of %s (%s): %s", patch_callback_names[cb],
		      rec->meta.name, pin, strerror(-err));
		return err;
	}
	err = run_callback_fd(fd, retval);
	close(fd);
	if (err)
		p_err("cannot run the %s callback of %s: %s", patch_callback_names[cb], rec->meta.name,
		      strerror(-err));
	else if (*retval && cb != CB_PRE_PATCH)
		pr_warn("bpflp: warning: %s callback of %s returned %d\n", patch_callback_names[cb],
			rec->meta.name, *retval);
	return err;
}

static struct patch_record *record_by_dir(struct txn *t, const char *dir)
{
	for (int i = 0; i < t->reg.nr; i++)
		if (!strcmp(t->reg.recs[i].dir, dir))
			return &t->reg.recs[i];
	return NULL;
}

/*
 * Make the records and pins agree with the commit word once it is final:
 * the transaction's own patch becomes active (apply) or disabled (disable),
 * active patches the word no longer holds are replaced, and everything not
 * active keeps only its meta. Idempotent, so recovery can repeat it.
 */
static int reconcile(struct txn *t, const struct journal *j)
{
	struct patch_record *own = record_by_dir(t, j->dir);
	char by[BPFLP_NAME_MAX + 16] = "";
	int err = 0;

	if (own) {
		own->meta.status = j->op == JOURNAL_APPLY ? PATCH_ACTIVE : PATCH_DISABLED;
		own->meta.changed_at = now_ns();
		err = store_write_meta(own->dir, &own->meta);
		snprintf(by, sizeof(by), "%s@%u", own->meta.name, own->meta.version);
	}
	for (int i = 0; i < t->reg.nr; i++) {
		struct patch_record *rec = &t->reg.recs[i];

		if (rec != own && rec->meta.status == PATCH_ACTIVE &&
		    !(t->word & (1ULL << rec->meta.slot))) {
			rec->meta.status = PATCH_REPLACED;
			rec->meta.changed_at = now_ns();
			snprintf(rec->meta.replaced_by, sizeof(rec->meta.replaced_by), "%s", by);
			err = store_write_meta(rec->dir, &rec->meta) ?: err;
		}
		if (rec->meta.status != PATCH_ACTIVE) {
			/* Disarmed before detached: its links come off in no set order. */
			if (!(t->word & (1ULL << rec->meta.slot)))
				err = arm_slot(&t->cc, rec->meta.slot, 0) ?: err;
			err = store_clear_dir(rec->dir, true) ?: err;
			fault_point("detach-old");
		}
	}
	return sync_gate_maps(t, NULL, t->word | j->pre_word) ?: err;
}

/*
 * Remove the state tree again if this transaction created it and left
 * nothing in it. Only under the lock: store_lock() notices a tree removed
 * under a waiting process and starts over on the new one.
 */
static void drop_created_store(struct txn *t)
{
	struct registry reg;
	char path[PATH_MAX];
	bool empty;

	if (!t->created_store || t->lock_fd < 0)
		return;
	/* Ask the tree, not t->reg (not loaded if the transaction failed early). */
	empty = !store_load(&reg) && !reg.nr && access(JOURNAL_PIN, F_OK);
	registry_free(&reg);
	if (!empty)
		return;
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", STORE_ROOT, store_shared_maps[i]);
		unlink(path);
	}
	rmdir(STORE_PATCHES);
	rmdir(STORE_RECORDS);
	rmdir(STORE_ROOT);
}

/* Undo a transaction that did not commit: its patch directory and gate map bits go. */
static void roll_back(struct txn *t, const struct journal *j)
{
	/* Disarmed before detached: its links come off in no set order. */
	arm_slot(&t->cc, j->slot, 0);
	for (__u32 i = 0; i < j->nr_own_pins && i < 8; i++)
		unlink(j->own_pins[i]);
	store_clear_dir(j->dir, false);
	/* Re-applying a replaced or disabled NAME@VERSION took over its record: restore it. */
	if (j->has_previous && !mkdir(j->dir, 0700))
		store_write_meta(j->dir, &j->previous);
	reload_registry(t);
	sync_gate_maps(t, NULL, t->word);
	journal_remove();
	/* The caller removes a tree the transaction created, once it is done with it. */
	t->created_store |= j->created_store;
}

static int recover_locked(struct txn *t, struct recover_result *res)
{
	struct journal j;
	int err, ret;

	err = journal_read(&j);
	if (err == -ENOENT)
		return 0;
	if (err) {
		p_err("cannot read the transaction journal %s: %s", JOURNAL_PIN, strerror(-err));
		return err;
	}
	res->pending = true;
	snprintf(res->op, sizeof(res->op), "%s", j.op == JOURNAL_APPLY ? "apply" : "disable");
	snprintf(res->dir, sizeof(res->dir), "%s", j.dir);
	err = reload_registry(t);
	if (!err)
		err = store_read_commit_word(&t->word);
	if (err)
		return err;
	if (t->word == j.pre_word) {
		pr_info("bpflp: rolling back the interrupted %s of %s\n", res->op, j.dir);
		if (j.op == JOURNAL_APPLY)
			roll_back(t, &j);
		else
			journal_remove();	/* nothing changed but pre_unpatch ran */
		return reload_registry(t);
	}
	if (t->word != j.post_word) {
		p_err("the commit word %#llx matches neither side of the interrupted %s (%#llx -> %#llx): inspect %s",
		      (unsigned long long)t->word, res->op, (unsigned long long)j.pre_word,
		      (unsigned long long)j.post_word, STORE_ROOT);
		return -EUCLEAN;
	}
	pr_info("bpflp: completing the interrupted %s of %s\n", res->op, j.dir);
	res->rolled_forward = true;
	if (!j.post_callback_done && record_by_dir(t, j.dir))
		run_pinned_callback(record_by_dir(t, j.dir),
				    j.op == JOURNAL_APPLY ? CB_POST_PATCH : CB_POST_UNPATCH, &ret);
	err = reconcile(t, &j);
	fault_point("end");
	if (!err)
		err = journal_remove();
	return err ?: reload_registry(t);
}

/* Returns 0, a negative errno (reported), or NO_STORE when !create and there is none. */
#define NO_STORE 1

/* Every active patch armed in its slot (bpflp_armed lost by hand comes back empty). */
static int arm_active(struct txn *t)
{
	int err = 0;

	for (int i = 0; i < t->reg.nr && !err; i++) {
		const struct patch_meta *m = &t->reg.recs[i].meta;
		__u32 slot = m->slot;
		__u64 armed;

		if (m->status != PATCH_ACTIVE || t->reg.recs[i].dir_missing)
			continue;
		if (bpf_map_lookup_elem(t->cc.armed_fd, &slot, &armed) || armed != m->gen)
			err = arm_slot(&t->cc, slot, m->gen);
	}
	return err;
}

/* Shared maps deleted by hand while patches live: pin them again before anything loads. */
static void repin_shared_maps(void)
{
	struct registry early;

	if (!store_load(&early))
		drift_repin_shared_maps(&early);
	registry_free(&early);
}

/*
 * What `recover` does beyond the journal: make the records tell the truth
 * (a patch no longer in effect is recorded as disabled; slots the word
 * enables for no record are cleared), attach again what was detached by
 * hand, and rebuild the gate maps from the records.
 */
static int repair_drift(struct txn *t, struct recover_result *res)
{
	struct drift_report scan;
	__u64 clear = 0;
	int err = 0;

	for (int i = 0; i < t->reg.nr; i++) {
		struct patch_record *rec = &t->reg.recs[i];
		struct patch_meta *m = &rec->meta;
		__u64 bit = 1ULL << m->slot;

		if (m->status != PATCH_ACTIVE)
			continue;
		if (!rec->dir_missing && (t->word & bit)) {
			drift_reattach(rec, &res->repairs);
			continue;
		}
		if (rec->dir_missing)
			clear |= t->word & bit;
		m->status = PATCH_DISABLED;
		m->changed_at = now_ns();
		if (rec->dir_missing && mkdir(rec->dir, 0700) && errno != EEXIST)
			err = -errno;
		err = err ?: store_write_meta(rec->dir, m);
		err = err ?: store_clear_dir(rec->dir, true);
		drift_add(&res->repairs, m, DRIFT_RECORD, "%s", rec->dir_missing ?
			  "recorded as disabled: its directory had been deleted, which detached it" :
			  "recorded as disabled: the commit word no longer enabled it");
	}
	drift_scan(&t->reg, t->word, &scan);
	if (!drift_unrepairable(&scan))
		clear |= t->word & ~registry_active_mask(&t->reg);
	if (clear && !err) {
		err = commit_word(&t->cc, t->word, t->word & ~clear);
		if (!err) {
			t->word &= ~clear;
			drift_add(&res->repairs, NULL, DRIFT_RECORD,
				  "cleared slots %#llx, which no active record holds, from the commit word",
				  (unsigned long long)clear);
		}
	}
	err = reload_registry(t) ?: err;
	return sync_gate_maps(t, NULL, t->word) ?: err;
}

static int txn_begin(struct txn *t, struct recover_result *recovered, bool create)
{
	struct recover_result ignored = {};
	struct drift_report *repairs = recovered && recovered->repair_drift ? &recovered->repairs : NULL;
	__u64 recorded;
	int err;

	memset(t, 0, sizeof(*t));
	t->lock_fd = -1;
	err = kernel_require_caps();
	if (err)
		return err;
	t->lock_fd = store_lock(create);
	if (t->lock_fd == -ENOENT)
		return NO_STORE;
	if (t->lock_fd < 0)
		return t->lock_fd;
	fault_point("locked");
	repin_shared_maps();
	/*
	 * Decided under the lock, never before it: a transaction refused the
	 * lock owns nothing, and only a tree without the shared maps is ours
	 * to remove if this transaction fails.
	 */
	t->created_store = access(STORE_ROOT "/bpflp_state", F_OK) != 0;
	err = commit_ctx_open(&t->cc);
	if (!err)
		err = recover_locked(t, recovered ?: &ignored);
	if (!err)
		err = reload_registry(t);
	/* Pins deleted by hand whose objects live on: only bookkeeping, always done. */
	if (!err && !drift_repin(&t->reg, repairs))
		err = reload_registry(t);
	if (!err)
		err = arm_active(t);
	if (err)
		return err;
	err = store_read_commit_word(&t->word);
	if (err) {
		p_err("cannot read the commit word: %s", strerror(-err));
		return err;
	}
	if (repairs) {
		err = repair_drift(t, recovered);
		if (err) {
			p_err("cannot repair the state in %s: %s", STORE_ROOT, strerror(-err));
			return err;
		}
	}
	recorded = registry_active_mask(&t->reg);
	if (t->word != recorded && !repairs) {
		p_err("bpflp state is inconsistent: commit word %#llx, records say %#llx; run 'bpflp recover' (and see 'bpflp status')",
		      (unsigned long long)t->word, (unsigned long long)recorded);
		return -EUCLEAN;
	}
	return 0;
}

static void txn_end(struct txn *t, int err)
{
	/* A failed transaction leaves no state tree it had to create. */
	if (err)
		drop_created_store(t);
	commit_ctx_close(&t->cc);
	registry_free(&t->reg);
	store_unlock(t->lock_fd);
}

/*
 * Any slot the word does not use: bpflp_order, not the slot number, says
 * which stacked patch is newer, so freed slots are reused. A stack may not
 * take the last free slot: a cumulative replace attaches before it
 * detaches and needs one, and must always be possible.
 */
static int pick_slot(struct txn *t, bool stack, const char *name, __u32 *slot)
{
	int in_use = __builtin_popcountll(t->word);

	if (stack && in_use >= BPFLP_MAX_SLOTS - 1) {
		p_err("cannot stack %s: %d patches are active, the most bpflp stacks (%d slots, one kept free so a cumulative replace always fits); apply a cumulative patch without --stack, or disable one",
		      name, in_use, BPFLP_MAX_SLOTS);
		return -ENOSPC;
	}
	for (int s = 0; s < BPFLP_MAX_SLOTS; s++) {
		if (!(t->word & (1ULL << s))) {
			*slot = s;
			return 0;
		}
	}
	p_err("no free patch slot (%d in use): the state was changed by hand; run 'bpflp recover'",
	      in_use);
	return -ENOSPC;
}

/* Links a patch takes on one function: bpflp's take and drop, and its programs there. */
#define SNAPSHOT_LINKS	2
/* Kept free by --stack on every function, so a cumulative replace always fits. */
#define REPLACE_RESERVE	(SNAPSHOT_LINKS + 3)

/*
 * The kernel refuses a link past KERNEL_MAX_TRAMP_LINKS on one function
 * with a bare E2BIG, halfway through staging: check every function of the
 * patch first, counting every tracing link already there (ours, replaced
 * ones still attached until the commit, and other tools').
 */
static int check_trampoline_room(const struct patch_object *po, bool stack)
{
	int limit = KERNEL_MAX_TRAMP_LINKS - (stack ? REPLACE_RESERVE : 0);
	__u32 ids[BPFLP_MAX_FUNCS];
	int counts[BPFLP_MAX_FUNCS], err;

	for (int i = 0; i < po->nr_progs; i++)
		ids[i] = po->progs[i].func_key;
	err = kernel_count_tramp_links(ids, po->nr_progs, counts);
	if (err) {
		p_err("cannot count the BPF links on the functions of %s: %s", po->info.name,
		      strerror(-err));
		return err;
	}
	for (int i = 0; i < po->nr_progs; i++) {
		int total = counts[i] + SNAPSHOT_LINKS;

		for (int j = 0; j < po->nr_progs; j++)
			total += !strcmp(po->progs[j].func, po->progs[i].func);
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

static void fill_meta(struct patch_meta *meta, const struct patch_object *po, __u32 slot, bool stack)
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
	meta->applied_at = meta->changed_at = now_ns();
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
		pr_warn("bpflp: warning: post_unpatch callback of %s after the failed apply: %s\n",
			po->info.name, err ? strerror(-err) : "returned non-zero");
}

/* Stage: load, pre_patch, attach with the gate shut, cover bits. */
static int stage_patch(struct txn *t, struct patch_object *po, struct patch_meta *meta,
		       struct apply_result *res)
{
	struct patch_record *stale;
	int err;

	err = patch_object_load(po, meta->slot, meta->gen, STORE_ROOT);
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
		store_clear_dir(stale->dir, false);
	if (mkdir(t->journal.dir, 0700)) {
		err = -errno;
		p_err("cannot create %s: %s", t->journal.dir, strerror(-err));
		return err;
	}
	fault_point("staging");
	err = store_write_meta(t->journal.dir, meta);
	if (!err)
		err = arm_slot(&t->cc, meta->slot, meta->gen);
	if (!err)
		err = attach_patch(po, meta, t->journal.dir);
	if (!err)
		err = sync_gate_maps(t, meta, t->word);
	if (!err)
		fault_point("staged");
	return err;
}

static int finish(struct txn *t, enum patch_callback post_cb)
{
	struct patch_record *own;
	int ret, err;

	fault_point("committed");
	err = reload_registry(t);
	if (err)
		return err;
	own = record_by_dir(t, t->journal.dir);
	if (own && !run_pinned_callback(own, post_cb, &ret)) {
		t->journal.post_callback_done = 1;
		journal_write(&t->journal);
	}
	fault_point("post-callback");
	err = reconcile(t, &t->journal);
	fault_point("end");
	return err ?: journal_remove();
}

/* The journal entry of a transaction from the current word to post_word. */
static void plan_journal(struct txn *t, enum journal_op op, __u64 post_word, __u32 slot)
{
	t->journal = (struct journal){
		.magic = JOURNAL_MAGIC,
		.abi_version = BPFLP_ABI_VERSION,
		.op = op,
		.pid = getpid(),
		.pre_word = t->word,
		.post_word = post_word,
		.started_at = now_ns(),
		.slot = slot,
		.created_store = t->created_store,
	};
}

/*
 * Applying the active NAME@VERSION again (the same code) repairs what was
 * detached by hand: from the pinned programs, or, where those are gone
 * too, from the object loaded again into the patch's slot. Same slot, same
 * word: no commit, the function is patched again as soon as it is attached.
 */
static int repair_active(struct patch_record *rec, struct patch_object *po,
			 struct drift_report *done)
{
	struct drift_report pass = {};
	int err;

	err = drift_reattach(rec, &pass);
	if (!err && drift_unrepairable(&pass)) {
		memset(&pass, 0, sizeof(pass));
		err = patch_object_load(po, rec->meta.slot, rec->meta.gen, STORE_ROOT) ?:
		      pin_missing_programs(po, &rec->meta, rec->dir) ?:
		      drift_reattach(rec, &pass);
	}
	*done = pass;
	if (err)
		p_err("cannot repair %s@%u: %s", rec->meta.name, rec->meta.version, strerror(-err));
	return err;
}

int txn_apply(const char *path, bool stack, bool allow_insecure, struct apply_result *res)
{
	struct patch_record *existing;
	struct patch_object po;
	struct txn t;
	__u32 slot;
	int err;

	memset(res, 0, sizeof(*res));
	err = patch_object_open(&po, path, allow_insecure);
	if (err)
		return err;
	err = txn_begin(&t, NULL, true);
	if (err)
		goto out;
	existing = registry_find(&t.reg, po.info.name, po.info.version);
	if (existing && memcmp(existing->meta.digest, po.digest, sizeof(po.digest))) {
		char was[13], now[13];

		sha256_hex(existing->meta.digest, 6, was);
		sha256_hex(po.digest, 6, now);
		p_err("%s@%u is already %s with different code (sha256 %s..., %s has %s...): bump the version in BPFLP_PATCH%s",
		      po.info.name, po.info.version, existing->meta.status == PATCH_ACTIVE ? "active" : "recorded",
		      was, path, now,
		      existing->meta.status == PATCH_ACTIVE ? "" : " (or drop the old record with 'bpflp gc')");
		err = -EEXIST;
		goto out;
	}
	if (existing && existing->meta.status == PATCH_ACTIVE) {
		res->meta = existing->meta;
		err = repair_active(existing, &po, &res->repairs);
		res->outcome = res->repairs.nr ? APPLY_REPAIRED : APPLY_ALREADY_ACTIVE;
		goto out;
	}
	if (stack && registry_find_spec(&t.reg, po.info.name)) {
		p_err("a version of %s is already active: apply %s without --stack to replace it",
		      po.info.name, path);
		err = -EEXIST;
		goto out;
	}
	err = pick_slot(&t, stack, po.info.name, &slot);
	if (!err)
		err = check_trampoline_room(&po, stack);
	if (err)
		goto out;
	fill_meta(&res->meta, &po, slot, stack);
	plan_journal(&t, JOURNAL_APPLY, (stack ? t.word : 0) | (1ULL << slot), slot);
	t.journal.stack = stack;
	/* Names are at most BPFLP_NAME_MAX characters: always fits. */
	store_patch_dir(t.journal.dir, sizeof(t.journal.dir), res->meta.name, res->meta.version);
	err = stage_patch(&t, &po, &res->meta, res);
	if (!err) {
		fault_point("commit");
		err = commit_word(&t.cc, t.journal.pre_word, t.journal.post_word);
	}
	if (err) {
		if (t.journal_written)
			roll_back(&t, &t.journal);
		else
			drop_created_store(&t);
		patch_object_unpin_created(&po);
		undo_pre_patch(&t, &po);
		goto out;
	}
	t.word = t.journal.post_word;
	for (int i = 0; !stack && i < t.reg.nr; i++)
		if (t.reg.recs[i].meta.status == PATCH_ACTIVE)
			snprintf(res->replaced[res->nr_replaced++], sizeof(res->replaced[0]), "%s@%u",
				 t.reg.recs[i].meta.name, t.reg.recs[i].meta.version);
	err = finish(&t, CB_POST_PATCH);
	if (err)
		p_err("%s@%u is active, but cleaning up after the commit failed: %s; run 'bpflp recover'",
		      res->meta.name, res->meta.version, strerror(-err));
	res->meta.status = PATCH_ACTIVE;
out:
	txn_end(&t, err);
	patch_object_close(&po);
	return err;
}

int txn_disable(const char *spec, struct disable_result *res)
{
	struct patch_record *rec;
	struct txn t;
	int err;

	memset(res, 0, sizeof(*res));
	err = txn_begin(&t, NULL, false);
	if (err < 0)
		goto out;
	rec = err == NO_STORE ? NULL : registry_find_spec(&t.reg, spec);
	if (!rec || rec->meta.status != PATCH_ACTIVE) {
		p_err("no active patch '%s': see 'bpflp list' for what is active", spec);
		err = -ENOENT;
		goto out;
	}
	plan_journal(&t, JOURNAL_DISABLE, t.word & ~(1ULL << rec->meta.slot), rec->meta.slot);
	err = try_snprintf(t.journal.dir, sizeof(t.journal.dir), "%s", rec->dir);
	if (err) {
		p_err("patch directory %s is too long for the journal", rec->dir);
		goto out;
	}
	res->meta = rec->meta;
	err = journal_write(&t.journal);
	if (err) {
		p_err("cannot write the transaction journal %s: %s", JOURNAL_PIN, strerror(-err));
		goto out;
	}
	fault_point("begin");
	err = run_pinned_callback(rec, CB_PRE_UNPATCH, &res->pre_unpatch_ret);
	if (!err) {
		fault_point("commit");
		err = commit_word(&t.cc, t.journal.pre_word, t.journal.post_word);
	}
	if (err) {
		journal_remove();
		goto out;
	}
	t.word = t.journal.post_word;
	err = finish(&t, CB_POST_UNPATCH);
	res->meta.status = PATCH_DISABLED;
	if (err)
		p_err("%s is disabled, but cleaning up after the commit failed: %s; run 'bpflp recover'",
		      spec, strerror(-err));
out:
	txn_end(&t, err);
	return err;
}

int txn_gc(struct gc_result *res)
{
	struct patch_meta *removed;
	struct txn t;
	int err;

	memset(res, 0, sizeof(*res));
	err = txn_begin(&t, NULL, false);
	if (err == NO_STORE)
		err = 0;	/* no state: nothing to collect */
	for (int i = 0; !err && i < t.reg.nr; i++) {
		const struct patch_record *rec = &t.reg.recs[i];

		/* Active and staged records own live objects: never collected. */
		if (rec->meta.status != PATCH_REPLACED && rec->meta.status != PATCH_DISABLED)
			continue;
		removed = realloc(res->removed, (res->nr_removed + 1) * sizeof(*removed));
		if (!removed) {
			err = -ENOMEM;
			break;
		}
		res->removed = removed;
		err = store_clear_dir(rec->dir, false);
		if (err) {
			p_err("cannot remove the record %s: %s", rec->dir, strerror(-err));
			break;
		}
		res->removed[res->nr_removed++] = rec->meta;
	}
	txn_end(&t, err);
	return err;
}

int txn_recover(struct recover_result *res)
{
	struct txn t;
	int err;

	bool repair = res->repair_drift;

	memset(res, 0, sizeof(*res));
	res->repair_drift = repair;
	err = txn_begin(&t, res, false);
	if (err == NO_STORE)
		err = 0;	/* bpflp never ran here: nothing to recover */
	else if (!err && repair)
		drift_scan(&t.reg, t.word, &res->remaining);
	/* A first apply rolled back leaves no tree; only now, when nothing else uses it. */
	if (!err)
		drop_created_store(&t);
	txn_end(&t, err);
	return err;
}

int txn_recover_if_pending(struct journal *in_flight)
{
	struct recover_result res;
	int fd;

	if (journal_read(in_flight))
		return 0;
	/* A live transaction holds the lock: report it rather than wait. */
	fd = open(STORE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return 1;
	}
	if (fd >= 0)
		close(fd);
	return txn_recover(&res);
}
