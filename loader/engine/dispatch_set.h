/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each dispatch stub's two sides hold (docs/design.md, "Next: a
 * replace by program-array writes"). For a function and a set of active
 * patches, the side a commit makes live holds the fmod_ret program of
 * the newest patch of the set on that function if that program is
 * dispatched (FUNC_ROUTE_DISPATCH), and nothing otherwise: the newest
 * patch on a function wins there, as with gated links. A function has a
 * stub while any active patch dispatches a program there.
 *
 * A transaction writes the side its commit will make live, for every
 * stub, before the commit (dispatch_prepare); the compare-and-swap that
 * moves the slots flips the side bit and so switches every stub at once.
 * Once the grace period after it has passed, the other side is emptied
 * and stubs no active patch needs are detached (dispatch_settle), which
 * also mends what a crash or a hand edit left: it works from the records
 * and the word, not the journal.
 */
#ifndef BPFLP_DISPATCH_SET_H
#define BPFLP_DISPATCH_SET_H

#include <stdbool.h>
#include <linux/types.h>
#include "commit.h"
#include "store.h"

/*
 * What the stubs' code finds or mends, for drift.h to report (drift.c
 * calls this file, so this file does not call it): the fix as drift.h
 * names them, and one line of text.
 */
enum dispatch_fix {
	DISPATCH_FIX_REPIN,
	DISPATCH_FIX_REATTACH,
	DISPATCH_FIX_DETACH,
	DISPATCH_FIX_NONE, /* failed */
};

struct dispatch_sink {
	void (*note)(void *ctx, const struct patch_meta *m, enum dispatch_fix fix, const char *text);
	void *ctx;
};

/*
 * Before the commit from pre_word to post_word: the set after it is the
 * active records, less gone (a disable) or all of them (replaces_all, a
 * cumulative apply), plus incoming (pinned in incoming_dir), the newest.
 * Stubs are made for the functions it dispatches that have none (their
 * live side holds what runs there now: nothing, or a program a hand edit
 * lost), and side post_word's of every stub is written. 0 or a negative
 * errno (reported); the caller's roll-back leaves the rest to
 * dispatch_settle.
 */
int dispatch_prepare(struct commit_ctx *cc, const struct registry *reg,
		     const struct patch_record *gone, bool replaces_all,
		     const struct patch_meta *incoming, const char *incoming_dir, __u64 pre_word,
		     __u64 post_word);

/*
 * After the grace period that follows a commit or a roll-back, no
 * transaction pending: make every stub agree with the active records of
 * reg and the word (see above). What it had to mend goes in done (a
 * repair: `bpflp recover`), or is warned about if done is NULL.
 */
void dispatch_settle(struct commit_ctx *cc, const struct registry *reg, __u64 word,
		     const struct dispatch_sink *done);

/* Drift (drift.h): stubs whose pins were deleted by hand, or that run what no record says. */
void dispatch_scan(const struct registry *reg, __u64 word, const struct dispatch_sink *rep);

/*
 * Drift (drift.h): pin again the dispatched programs of active records
 * whose pins were deleted by hand, from the stub that runs them (only the
 * newest patch's program on a function is in a stub). How many.
 */
int dispatch_repin(const struct registry *reg, const struct dispatch_sink *rep);
/* Does rec's dispatched program on func run from its stub now (word: the live word)? */
bool dispatch_runs(const struct registry *reg, const struct patch_record *rec, const char *func,
		   __u64 word);

/* Does m dispatch any of its programs? */
bool dispatch_in_record(const struct patch_meta *m);

#endif /* BPFLP_DISPATCH_SET_H */
