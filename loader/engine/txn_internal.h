/* SPDX-License-Identifier: GPL-2.0 */
/* Private to the transaction files (txn_*.c): what a transaction holds. */
#ifndef BPFLP_TXN_INTERNAL_H
#define BPFLP_TXN_INTERNAL_H

#include <stdbool.h>
#include "commit.h"
#include "drift.h"
#include "journal.h"
#include "patch_object.h"
#include "store.h"
#include "txn.h"

struct lp_plan;

/* Everything a transaction holds; released in one place. */
struct txn {
	int lock_fd;
	bool created_store; /* this transaction made /sys/fs/bpf/bpflp */
	struct registry reg;
	struct commit_ctx cc;
	__u64 word; /* commit word when the transaction began */
	struct journal journal;
	bool journal_written; /* from here on, failure means txn_roll_back() */
	bool pre_patch_done;  /* so a failed apply owes post_unpatch */
	bool in_flux;         /* this transaction raised bpflp_state.flux */
};

/* Returns 0, a negative errno (reported), or NO_STORE when !create and there is none. */
#define NO_STORE 1

/* txn_core.c: the lifecycle every transaction shares (each is documented there). */
int txn_reload_registry(struct txn *t);
/* keep: the slots whose bits the gate maps keep for functions no record covers (word_slots). */
int txn_sync_gate_maps(struct txn *t, const struct patch_meta *extra, __u64 keep);
int txn_run_pinned_callback(const struct patch_record *rec, enum patch_callback cb, int *retval);
struct patch_record *txn_record_by_dir(struct txn *t, const char *dir);
int txn_reconcile(struct txn *t, const struct journal *j);
void txn_drop_created_store(struct txn *t);
void txn_roll_back(struct txn *t, const struct journal *j);
int txn_begin(struct txn *t, struct recover_result *recovered, bool create);
void txn_end(struct txn *t, int err);
int txn_finish(struct txn *t, enum patch_callback post_cb);
/*
 * The commit point, as apply and disable take it: the livepatch module's
 * transition first (lp, toward new_dir's module or none), the half that
 * can time out, then the one write of the commit word the journal plans.
 * 0: committed, t->word is the new word. On failure *lp_switched says the
 * module's side switched and cannot be undone atomically: reported, with
 * who ("NAME@VERSION is in"), and left to recover to complete.
 */
int txn_commit(struct txn *t, struct lp_plan *lp, const char *new_dir, const char *who,
	       bool *lp_switched);
void txn_plan_journal(struct txn *t, enum journal_op op, __u64 post_slots, __u32 slot);
/* txn_repair.c: what an operator deleted by hand (see drift.h). */
int txn_arm_active(struct txn *t);
void txn_repin_shared_maps(void);
int txn_repair_drift(struct txn *t, struct recover_result *res);
int txn_repair_active(struct patch_record *rec, struct patch_object *po, struct drift_report *done);

#endif /* BPFLP_TXN_INTERNAL_H */
