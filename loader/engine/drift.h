/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drift: where bpflp's state in bpffs no longer tells the truth about the
 * kernel, because an operator deleted pins by hand. Each finding says how
 * it is repaired:
 *
 *   DRIFT_REPIN     a pin is gone but the kernel object lives on (a record
 *                   pinned twice, a program its link holds, a shared map
 *                   the patch programs hold): it is pinned again. Only
 *                   bookkeeping, so every transaction does it first.
 *   DRIFT_REATTACH  a link of an active patch is gone, so a function is not
 *                   (fully) patched: `bpflp recover`, or applying the patch
 *                   again, attaches it again from its pinned program;
 *                   bpflp's own take or drop, program gone too, is loaded
 *                   again from the record first.
 *   DRIFT_REAPPLY   as REATTACH, but the program is gone too: applying the
 *                   patch object again loads it and attaches it.
 *   DRIFT_RECORD    the records disagree with the commit word or with what
 *                   is attached: `bpflp recover` makes them tell the truth.
 *   DRIFT_DETACH    the companion module runs a program no record pins (its
 *                   pins were deleted by hand): it is detached, as deleting
 *                   a link's pin would have done at once. Every
 *                   transaction does it, after DRIFT_REPIN.
 *   DRIFT_NONE      nothing bpflp can repair: the message says what to do.
 */
#ifndef BPFLP_DRIFT_H
#define BPFLP_DRIFT_H

#include "dispatch_set.h"
#include "store.h"

enum drift_fix {
	DRIFT_REPIN,
	DRIFT_REATTACH,
	DRIFT_REAPPLY,
	DRIFT_RECORD,
	DRIFT_NONE,
	DRIFT_DETACH,
};

struct drift {
	char patch[PATCH_SPEC_MAX]; /* NAME@VERSION, "" for shared state */
	char problem[384];
	enum drift_fix fix;
};

#define DRIFT_MAX 64

struct drift_report {
	struct drift items[DRIFT_MAX];
	int nr;
	int nr_lost; /* findings beyond DRIFT_MAX */
};

const char *drift_fix_name(enum drift_fix fix);

/* Add a finding about m's patch (NULL: shared state); rep may be NULL. */
void drift_add(struct drift_report *rep, const struct patch_meta *m, enum drift_fix fix,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Compare the records and pins with each other and with the commit word. Changes nothing. */
void drift_scan(const struct registry *reg, __u64 word, struct drift_report *rep);

/* A sink for dispatch_set.h's findings and repairs: each becomes a finding of rep. */
struct dispatch_sink drift_dispatch_sink(struct drift_report *rep);

/* Move the repairs that failed (DRIFT_NONE) from one report to another. */
void drift_move_failed(struct drift_report *from, struct drift_report *to);

/* Would drift_scan() find anything that `bpflp recover` cannot repair? */
bool drift_unrepairable(const struct drift_report *rep);

/*
 * DRIFT_REPIN for the shared maps: pin again, from a program of an active
 * patch that uses them, every shared map whose pin is gone. Before the
 * commit program is loaded, which would otherwise create empty ones.
 */
int drift_repin_shared_maps(const struct registry *reg);

/*
 * DRIFT_REPIN for records and programs. Reports what it did in rep (may be
 * NULL); returns how many pins it restored, else the last error (or 0).
 */
int drift_repin(const struct registry *reg, struct drift_report *rep);

/* DRIFT_DETACH: detach what the companion module runs for no record. Reports in rep (may be NULL). */
int drift_detach_orphans(const struct registry *reg, struct drift_report *rep);

/*
 * DRIFT_REATTACH for one active record: re-attach from the pinned programs
 * every link that is gone, keeping the order a patch attaches in (take
 * last). Reports what it did, and what needs the object, in rep.
 */
int drift_reattach(const struct patch_record *rec, struct drift_report *rep);

#endif /* BPFLP_DRIFT_H */
