/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The transaction journal, pinned at /sys/fs/bpf/bpflp/journal so it
 * survives bpflp dying. Written under the lock before a transaction
 * changes anything, removed when it has finished. The commit word decides
 * the outcome of an interrupted one: still the old word -> roll back
 * (remove everything the new side created); the new word -> roll forward
 * (finish the clean-up).
 */
#ifndef BPFLP_JOURNAL_H
#define BPFLP_JOURNAL_H

#include <stdbool.h>
#include "store.h"

#define JOURNAL_MAGIC 0x4c4e524aU /* "JRNL" */
#define JOURNAL_PIN   STORE_ROOT "/journal"

enum journal_op {
	JOURNAL_APPLY = 1,
	JOURNAL_DISABLE = 2,
};

struct journal {
	__u32 magic;
	__u32 abi_version;
	__u32 op; /* enum journal_op */
	__u32 pid;
	__u64 pre_word;  /* commit word before the transaction */
	__u64 post_word; /* commit word it installs */
	__u64 started_at;
	__u32 slot;          /* apply: new patch; disable: the disabled one */
	__u32 stack;         /* apply --stack */
	__u32 created_store; /* the transaction created the state tree */
	__u32 post_callback_done;
	char dir[256]; /* the patch directory the transaction is about */
	__u32 nr_own_pins;
	char own_pins[8][256]; /* map pins the patch created outside dir (roll back removes) */
	__u32 has_previous;
	struct patch_meta previous; /* record of the same NAME@VERSION this apply replaces */
	__u32 keep_shadow;          /* disable --keep-shadow: orphaned shadows go to shadow/kept/ */
	__u32 pad;
};

int journal_write(const struct journal *j);
/* 0 and *j filled, -ENOENT when there is none, other -errno on failure. */
int journal_read(struct journal *j);
int journal_remove(void);

#endif /* BPFLP_JOURNAL_H */
