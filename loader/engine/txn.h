/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apply, disable and recover as transactions with one commit point:
 * everything of the new patch set is attached with its gates shut, one
 * atomic write of the commit word switches every function at once, and
 * only then are the replaced patches detached. A journal pinned in bpffs
 * lets `recover` (and every later command) finish or roll back a
 * transaction whose bpflp died.
 */
#ifndef BPFLP_TXN_H
#define BPFLP_TXN_H

#include <stdbool.h>
#include "drift.h"
#include "kmod_util.h"
#include "store.h"

enum apply_outcome {
	APPLY_DONE,
	APPLY_ALREADY_ACTIVE,
	APPLY_REPAIRED, /* it was active, with pieces detached by hand */
};

enum shadow_handover {
	SHADOW_CREATED,   /* no shadow of that name was pinned */
	SHADOW_INHERITED, /* the pinned one, as it was */
	SHADOW_MIGRATED,  /* converted by the patch's migration */
};

struct apply_shadow {
	char name[BPFLP_NAME_MAX + 1];
	enum shadow_handover how;
	__u64 converted; /* SHADOW_MIGRATED: entries written */
};

struct apply_result {
	enum apply_outcome outcome;
	struct patch_meta meta; /* the applied patch's record */
	char replaced[BPFLP_MAX_SLOTS][PATCH_SPEC_MAX];
	int nr_replaced;
	int pre_patch_ret;
	struct drift_report repairs;        /* APPLY_REPAIRED: what was attached again */
	char module[KMOD_NAME_MAX];         /* the livepatch module it inserted, "" for none */
	char module_removed[KMOD_NAME_MAX]; /* the one it took out, "" for none */
	struct apply_shadow shadows[BPFLP_MAX_SHADOWS];
	int nr_shadows;
	/* APPLY_DONE: its programs against what ran before (patch_changes.h). */
	int nr_new, nr_changed, nr_unchanged, nr_dropped;
	int nr_kept; /* unchanged programs kept as they run, not loaded (dispatch) */
};

struct disable_result {
	struct patch_meta meta;
	char module_removed[KMOD_NAME_MAX]; /* the livepatch module it took out, "" for none */
	int pre_unpatch_ret;
	int post_unpatch_ret;
};

struct recover_result {
	bool repair_drift;   /* in: also repair what drift.h describes */
	bool pending;        /* a journal was found */
	bool rolled_forward; /* it had committed: finished; else rolled back */
	char op[16];
	char dir[256];
	struct drift_report repairs;   /* what was repaired */
	struct drift_report remaining; /* what could not be, after repairing */
};

struct lp_module_file;
struct patch_signer;

/*
 * dispatch: run every program from its function's dispatch stub
 * (dispatch_set.h), refused for a patch that has other than fmod_ret
 * programs on functions fmod_ret reaches. module: the livepatch module the patch carries (checked with
 * lp_module_check), or NULL; timeout_s: how long its transition may take
 * (0: the default), for disable the transition of the module it removes.
 * signer: who signed the object (signature.h), recorded with it, or NULL;
 * the object read must be the very bytes whose signature was checked.
 */
int txn_apply(const char *path, bool stack, bool dispatch, bool allow_insecure,
	      const struct lp_module_file *module, int timeout_s, const struct patch_signer *signer,
	      struct apply_result *res);
/* keep_shadow: move the shadows only this patch declared to shadow/kept/ instead of freeing them. */
int txn_disable(const char *spec, int timeout_s, bool keep_shadow, struct disable_result *res);
int txn_recover(struct recover_result *res);

struct gc_result {
	struct patch_meta *removed; /* records removed (malloc'd; caller frees) */
	int nr_removed;
};

/* Remove the records (meta pin and directory) of replaced and disabled patches. */
int txn_gc(struct gc_result *res);

/*
 * bpflp stats on|off: count every patch's calls or not (bpflp_state.stats_off),
 * under the transaction lock; off creates the state tree if bpflp never ran.
 * *changed: it was the other way.
 */
int txn_stats(bool off, bool *changed);

struct journal;

/*
 * For read-only commands: recover if a dead transaction left a journal.
 * Returns 1 with *in_flight filled when a live transaction holds the lock,
 * 0 when nothing is pending (any more), or a negative errno.
 */
int txn_recover_if_pending(struct journal *in_flight);

#endif /* BPFLP_TXN_H */
