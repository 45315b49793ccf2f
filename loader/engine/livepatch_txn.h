/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A patch's livepatch module inside bpflp's transactions. The module's
 * transition is the first half of the switch, the BPF commit word the
 * second:
 *
 *   stage BPF (gates shut) -> record the step -> insert the new module (or
 *   disable the old one) -> wait for transition 0 -> commit word -> remove
 *   the old module -> drop the step record -> finish
 *
 * The step record, STORE_ROOT/livepatch_txn, is the module part of the
 * journal (a separate pin, so struct journal keeps its layout). Recovery:
 * the transition finished means the kernel side switched, so the commit
 * word is flipped too and the transaction completes; otherwise the
 * transition is reversed, the new module removed, and the BPF side rolls
 * back as before.
 *
 * Each patch that carries a module records it in its directory
 * (NAME@VERSION/livepatch); modules kept loaded because their transition
 * was forced are listed in STORE_ROOT/livepatch_kept.
 */
#ifndef BPFLP_LIVEPATCH_TXN_H
#define BPFLP_LIVEPATCH_TXN_H

#include <stdbool.h>
#include "livepatch_module.h"
#include "store.h"

#define LP_STEP_PIN    STORE_ROOT "/livepatch_txn"
#define LP_KEPT_PIN    STORE_ROOT "/livepatch_kept"
#define LP_RECORD_NAME "livepatch" /* NAME@VERSION/livepatch */
#define LP_MAX_KEPT    8

/* The module a patch carries, pinned in its directory. */
struct lp_record {
	__u32 magic;
	__u32 format;
	char module[LP_MODULE_NAME_MAX];
	char path[BPFLP_OBJECT_PATH_MAX];
};

/* Modules that stay loaded for good: their transition was forced. */
struct lp_kept {
	__u32 magic;
	__u32 format;
	__u32 nr;
	char modules[LP_MAX_KEPT][LP_MODULE_NAME_MAX];
};

/* What one transaction does with livepatch modules; also pinned as the step record. */
struct lp_step {
	__u32 magic;
	__u32 format;
	char new_module[LP_MODULE_NAME_MAX]; /* inserted by it, "" for none */
	char new_path[BPFLP_OBJECT_PATH_MAX];
	char old_module[LP_MODULE_NAME_MAX]; /* taken out by it, "" for none */
};

struct lp_plan {
	struct lp_step step;
	int timeout_ms;
	bool step_written;
};

/* Read a patch directory's module record: 0, -ENOENT when it carries none. */
int lp_record_read(const char *dir, struct lp_record *rec);
/* The modules kept loaded because forced; nr 0 when none. */
void lp_kept_read(struct lp_kept *kept);

/*
 * Plan a transaction's module step: new_file (NULL: none) comes in; the
 * module of the active patches in out_dirs (those the transaction takes
 * out) goes. Returns 0, or an error printed (the new module's name is
 * already loaded).
 */
struct registry;
int lp_plan_init(struct lp_plan *p, const struct lp_module_file *new_file,
		 const struct registry *reg, __u64 out_slots, int timeout_s);
bool lp_plan_empty(const struct lp_plan *p);

/*
 * Before the commit: record the step, insert the new module (recording it
 * in new_dir) or disable the old one, and wait for the transition. On
 * failure or timeout, reverses what it did and returns the error (printed):
 * the caller rolls the BPF side back.
 */
int lp_switch(struct lp_plan *p, const char *new_dir);

/* After the commit: remove the old module (or list it as kept), drop the step record. */
int lp_after_commit(struct lp_plan *p);

/*
 * Recovery of a transaction whose bpflp died (txn_core.c, before it decides):
 * completes the switch (flips *word from pre to post) when the livepatch
 * side had finished, or reverses the livepatch side; then, once the word
 * is post, removes the old module and the step record.
 */
struct commit_ctx;
int lp_recover(struct commit_ctx *cc, __u64 *word, __u64 pre_word, __u64 post_word);

#endif /* BPFLP_LIVEPATCH_TXN_H */
