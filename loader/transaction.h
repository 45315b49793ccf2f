/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apply and disable as transactions with one commit point: everything of
 * the new patch set is attached with its gates shut, one atomic write of
 * the commit word switches every function at once, and only then are the
 * replaced patches detached. A failure before the commit undoes what the
 * transaction created; after it, only clean-up remains.
 */
#ifndef BPFLP_TRANSACTION_H
#define BPFLP_TRANSACTION_H

#include <stdbool.h>
#include "store.h"

enum apply_outcome {
	APPLY_DONE,
	APPLY_ALREADY_ACTIVE,
};

struct apply_result {
	enum apply_outcome outcome;
	struct patch_meta meta;			/* the applied patch's record */
	char replaced[BPFLP_MAX_SLOTS][BPFLP_NAME_MAX + 16];
	int nr_replaced;
	int pre_patch_ret;
};

struct disable_result {
	struct patch_meta meta;
	int pre_unpatch_ret;
	int post_unpatch_ret;
};

int txn_apply(const char *path, bool stack, struct apply_result *res);
int txn_disable(const char *spec, struct disable_result *res);

#endif /* BPFLP_TRANSACTION_H */
