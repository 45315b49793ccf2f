// SPDX-License-Identifier: GPL-2.0
/*
 * The machinery every transaction shares: the lock and its start-up
 * (recover, repin, consistency check), reconcile, roll back, finish.
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
#include "bpflp/companion.h"
#include "commit.h"
#include "companion_attach.h"
#include "companion_kmod.h"
#include "dispatch_set.h"
#include "drift.h"
#include "fault.h"
#include "history.h"
#include "journal.h"
#include "kernel.h"
#include "livepatch_txn.h"
#include "log.h"
#include "output.h"
#include "patch_object.h"
#include "shadow.h"
#include "snapshot_links.h"
#include "teardown.h"
#include "txn.h"
#include "txn_internal.h"
#include "util.h"
#include "word_bits.h"

int txn_reload_registry(struct txn *t)
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
int txn_sync_gate_maps(struct txn *t, const struct patch_meta *extra, __u64 keep)
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

int txn_run_pinned_callback(const struct patch_record *rec, enum patch_callback cb, int *retval)
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
		p_err("cannot run the %s callback of %s: %s", patch_callback_names[cb],
		      rec->meta.name, strerror(-err));
	else if (*retval && cb != CB_PRE_PATCH)
		pr_warn("warning: %s callback of %s returned %d\n", patch_callback_names[cb],
			rec->meta.name, *retval);
	return err;
}

struct patch_record *txn_record_by_dir(struct txn *t, const char *dir)
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
int txn_reconcile(struct txn *t, const struct journal *j)
{
	struct patch_record *own = txn_record_by_dir(t, j->dir);
	/*
	 * The gate maps keep both words' slots for calls that began before
	 * the commit; bit 63 among them only while it was a slot, as the
	 * records said before this marks any replaced (word_bits.h).
	 */
	__u64 keep = word_slots(&t->reg, t->word | j->pre_word);
	char by[PATCH_SPEC_MAX] = "";
	int err = 0;

	if (own) {
		own->meta.status = j->op == JOURNAL_APPLY ? PATCH_ACTIVE : PATCH_DISABLED;
		own->meta.changed_at = realtime_ns();
		err = store_write_meta(own->dir, &own->meta);
		snprintf(by, sizeof(by), "%s@%u", own->meta.name, own->meta.version);
	}
	for (int i = 0; i < t->reg.nr; i++) {
		struct patch_record *rec = &t->reg.recs[i];

		if (rec != own && rec->meta.status == PATCH_ACTIVE &&
		    !(t->word & (1ULL << rec->meta.slot))) {
			rec->meta.status = PATCH_REPLACED;
			rec->meta.changed_at = realtime_ns();
			snprintf(rec->meta.replaced_by, sizeof(rec->meta.replaced_by), "%s", by);
			err = store_write_meta(rec->dir, &rec->meta) ?: err;
		}
		if (rec->meta.status != PATCH_ACTIVE) {
			/* Disarmed before detached: its links come off in no set order. */
			if (!(t->word & (1ULL << rec->meta.slot)))
				err = disarm_slot(&t->cc, rec->meta.slot) ?: err;
			err = teardown_patch_dir(rec->dir, true) ?: err;
			fault_point("detach-old");
		}
	}
	/* Now that no replaced patch runs: shadows nobody declares any more go. */
	err = shadow_settle(&t->reg, j->op == JOURNAL_DISABLE && j->keep_shadow) ?: err;
	return txn_sync_gate_maps(t, NULL, keep) ?: err;
}

/*
 * Remove the state tree again if this transaction created it and left
 * nothing in it. Only under the lock: store_lock() notices a tree removed
 * under a waiting process and starts over on the new one.
 */
void txn_drop_created_store(struct txn *t)
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
	commit_pins_remove();
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS; i++) {
		store_shared_map_pin(path, i);
		unlink(path);
	}
	shadow_remove_empty_dirs();
	rmdir(STORE_PATCHES);
	rmdir(STORE_RECORDS);
	rmdir(STORE_ROOT);
}

/* Undo a transaction that did not commit: its patch directory and gate map bits go. */
void txn_roll_back(struct txn *t, const struct journal *j)
{
	/* Disarmed before detached: its links come off in no set order. */
	disarm_slot(&t->cc, j->slot);
	for (__u32 i = 0; i < j->nr_own_pins && i < 8; i++)
		unlink(j->own_pins[i]);
	shadow_remove_empty_dirs();
	teardown_patch_dir(j->dir, false);
	/* Re-applying a replaced or disabled NAME@VERSION took over its record: restore it. */
	if (j->has_previous && !mkdir(j->dir, 0700))
		store_write_meta(j->dir, &j->previous);
	txn_reload_registry(t);
	txn_sync_gate_maps(t, NULL, word_slots(&t->reg, t->word));
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
	err = txn_reload_registry(t);
	if (!err)
		err = store_read_commit_word(&t->word);
	/* A livepatch module's step first: a finished transition commits the word too. */
	if (!err)
		err = lp_recover(&t->cc, &t->word, j.pre_word, j.post_word);
	if (err)
		return err;
	if (t->word == j.pre_word) {
		pr_info("rolling back the interrupted %s of %s\n", res->op, j.dir);
		if (j.op == JOURNAL_APPLY)
			txn_roll_back(t, &j);
		else
			journal_remove(); /* nothing changed but pre_unpatch ran */
		history_record_recovery(&j, false);
		return txn_reload_registry(t);
	}
	if (t->word != j.post_word) {
		p_err("the commit word %#llx matches neither side of the interrupted %s (%#llx -> %#llx): inspect %s",
		      (unsigned long long)t->word, res->op, (unsigned long long)j.pre_word,
		      (unsigned long long)j.post_word, STORE_ROOT);
		return -EUCLEAN;
	}
	pr_info("completing the interrupted %s of %s\n", res->op, j.dir);
	res->rolled_forward = true;
	if (!j.post_callback_done && txn_record_by_dir(t, j.dir))
		txn_run_pinned_callback(txn_record_by_dir(t, j.dir),
					j.op == JOURNAL_APPLY ? CB_POST_PATCH : CB_POST_UNPATCH,
					&ret);
	err = txn_reconcile(t, &j);
	fault_point("end");
	if (!err)
		err = journal_remove();
	if (!err)
		history_record_recovery(&j, true);
	return err ?: txn_reload_registry(t);
}

/*
 * The companion module stays loaded only while it runs a program: every
 * transaction, applied, failed or rolled back, unloads it when idle, under
 * the lock, so no other bpflp is attaching meanwhile.
 */
static void release_companion(void)
{
	int err;

	if (!companion_module_loaded() || companion_nr_attached() != 0)
		return;
	fault_point("module-unload");
	err = companion_module_release_if_unused();
	if (err)
		pr_warn("warning: cannot unload the idle companion module %s: %s\n",
			BPFLP_COMPANION_MODULE, strerror(-err));
}

int txn_begin(struct txn *t, struct recover_result *recovered, bool create)
{
	struct recover_result ignored = {};
	struct drift_report *repairs =
		recovered && recovered->repair_drift ? &recovered->repairs : NULL;
	__u64 recorded;
	int err;

	memset(t, 0, sizeof(*t));
	t->lock_fd = -1;
	err = kernel_require_caps();
	if (err)
		return err;
	t->lock_fd = store_lock(create);
	if (t->lock_fd == -ENOENT) {
		/* No state tree, so no transaction either: whatever the module runs, no record pins. */
		struct registry none = {};

		drift_detach_orphans(&none, repairs);
		release_companion();
		return NO_STORE;
	}
	if (t->lock_fd < 0)
		return t->lock_fd;
	fault_point("locked");
	txn_repin_shared_maps();
	/*
	 * Decided under the lock, never before it: a transaction refused the
	 * lock owns nothing, and only a tree without the shared maps is ours
	 * to remove if this transaction fails.
	 */
	t->created_store = access(STORE_ROOT "/bpflp_state", F_OK) != 0;
	err = commit_ctx_open(&t->cc);
	if (!err)
		err = flux_begin(&t->cc);
	t->in_flux = !err;
	if (!err)
		err = recover_locked(t, recovered ?: &ignored);
	if (!err)
		err = txn_reload_registry(t);
	/* Pins deleted by hand whose objects live on: only bookkeeping, always done. */
	if (!err && drift_repin(&t->reg, repairs) > 0)
		err = txn_reload_registry(t); /* the records as restored */
	/* And what the companion module runs that no record pins: as if its link pin went. */
	if (!err)
		drift_detach_orphans(&t->reg, repairs);
	if (!err)
		err = txn_arm_active(t);
	if (err)
		return err;
	err = store_read_commit_word(&t->word);
	if (err) {
		p_err("cannot read the commit word: %s", strerror(-err));
		return err;
	}
	if (repairs) {
		err = txn_repair_drift(t, recovered);
		if (err) {
			p_err("cannot repair the state in %s: %s", STORE_ROOT, strerror(-err));
			return err;
		}
	}
	err = word_retire_slot_63(&t->cc, &t->reg, repairs != NULL);
	if (err)
		return err;
	recorded = registry_active_mask(&t->reg);
	if (word_slots(&t->reg, t->word) != recorded && !repairs) {
		p_err("bpflp state is inconsistent: commit word %#llx enables slots %#llx, records say %#llx; run 'bpflp recover' (and see 'bpflp status')",
		      (unsigned long long)t->word, (unsigned long long)word_slots(&t->reg, t->word),
		      (unsigned long long)recorded);
		return -EUCLEAN;
	}
	return 0;
}

void txn_end(struct txn *t, int err)
{
	/* A failed transaction leaves no state tree it had to create. */
	if (err)
		txn_drop_created_store(t);
	if (t->lock_fd >= 0)
		release_companion();
	/*
	 * Only once no gate pushes entries any more: flux is down. Not while
	 * a journal is pending: the transaction that completes it commits with
	 * these takes and drops on.
	 */
	if (t->in_flux && !flux_end(&t->cc) && access(JOURNAL_PIN, F_OK)) {
		snapshot_links_settle(&t->reg);
		/* The grace period is over: the side the commit left is no call's any more. */
		dispatch_settle(&t->cc, &t->reg, t->word, NULL);
		if (!err)
			word_retire_released_slot_63(&t->cc, &t->reg);
	}
	commit_ctx_close(&t->cc);
	registry_free(&t->reg);
	store_unlock(t->lock_fd);
}

int txn_finish(struct txn *t, enum patch_callback post_cb)
{
	struct patch_record *own;
	int ret, err;

	fault_point("committed");
	err = txn_reload_registry(t);
	if (err)
		return err;
	own = txn_record_by_dir(t, t->journal.dir);
	if (own && !txn_run_pinned_callback(own, post_cb, &ret)) {
		t->journal.post_callback_done = 1;
		journal_write(&t->journal);
	}
	fault_point("post-callback");
	err = txn_reconcile(t, &t->journal);
	fault_point("end");
	return err ?: journal_remove();
}

int txn_commit(struct txn *t, struct lp_plan *lp, const char *new_dir, const char *who,
	       bool *lp_switched)
{
	int err = lp_switch(lp, new_dir);

	*lp_switched = !err && !lp_plan_empty(lp);
	if (err)
		return err;
	fault_point("commit");
	err = commit_word(&t->cc, t->journal.pre_word, t->journal.post_word);
	if (!err) {
		t->word = t->journal.post_word;
		return 0;
	}
	if (*lp_switched)
		p_err("the livepatch of %s, but the BPF commit failed: %s; run 'bpflp recover' to complete it",
		      who, strerror(-err));
	return err;
}

/*
 * The journal entry of a transaction from the current word to the slots
 * post_slots, the side flipped (word_bits.h).
 */
void txn_plan_journal(struct txn *t, enum journal_op op, __u64 post_slots, __u32 slot)
{
	t->journal = (struct journal){
		.magic = JOURNAL_MAGIC,
		.abi_version = BPFLP_ABI_VERSION,
		.op = op,
		.pid = getpid(),
		.pre_word = t->word,
		/* Slot 63 only as an older bpflp gave it (fault_legacy_slot): its bit is its slot. */
		.post_word = slot == BPFLP_SIDE_BIT && op == JOURNAL_APPLY ?
				     post_slots :
				     word_next(&t->reg, t->word, post_slots),
		.started_at = realtime_ns(),
		.slot = slot,
		.created_store = t->created_store,
	};
}
