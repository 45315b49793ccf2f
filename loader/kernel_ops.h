/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel-side steps of a transaction: attach, run callbacks, commit, cover. */
#ifndef BPFLP_KERNEL_OPS_H
#define BPFLP_KERNEL_OPS_H

#include "patch_object.h"
#include "store.h"

struct commit;

/* The commit program and the shared maps, created and pinned on first use. */
struct commit_ctx {
	struct commit *skel;
	int state_fd;
	int cover_fd;
};

int commit_ctx_open(struct commit_ctx *cc);
void commit_ctx_close(struct commit_ctx *cc);

/* Swap the commit word from expected to desired in one atomic step. */
int commit_word(struct commit_ctx *cc, __u64 expected, __u64 desired);

/* Run a callback program (BPF_PROG_TEST_RUN); *retval gets its return value. */
int run_callback_fd(int prog_fd, int *retval);

/* Attach and pin everything of a loaded patch under dir, shut gates first. */
int attach_patch(struct patch_object *po, const char *dir);

/* Make the cover map say exactly which of the given records' slots cover each function. */
int cover_sync(struct commit_ctx *cc, const struct patch_meta *const *metas, int nr);

/* Kill this process at a named step when BPFLP_FAULT says so (tests only). */
void fault_point(const char *step);

#endif /* BPFLP_KERNEL_OPS_H */
