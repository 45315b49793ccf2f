/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp's take and drop on a patch's entry-only functions exist only while
 * a transaction needs them (docs/design.md, "Between transactions"):
 * between transactions such a call runs the patch's programs and nothing
 * else. Where the patch has an fexit program, they are always on
 * (attach_patch). The transaction holds the lock throughout.
 */
#ifndef BPFLP_SNAPSHOT_LINKS_H
#define BPFLP_SNAPSHOT_LINKS_H

#include <stdbool.h>
#include "bpflp/abi.h"
#include "kernel_ops.h"
#include "store.h"

/* When m's gates on func keep a snapshot (patch_snap_mode, from the record). */
enum bpflp_snap_mode meta_snap_mode(const struct patch_meta *m, const char *func);

/*
 * Does a transaction that changes m's bit need m's take and drop? incoming:
 * the patch being applied (m itself, or the one replacing m), NULL for a
 * disable. Only where a call runs two of bpflp's programs on entry can the
 * commit fall between them; where incoming has a program, its own take runs
 * first and covers the call.
 */
bool snapshot_needed(const struct registry *reg, const struct patch_meta *m,
		     const struct patch_meta *incoming);

/*
 * The active records a cumulative apply of incoming snaps, into plan (one
 * flag per record of reg): on each function incoming does not touch and
 * two programs share, the newest patch there.
 */
void snapshot_plan_replace(const struct registry *reg, const struct patch_meta *incoming, bool *plan);

/*
 * The records a disable of gone snaps, into plan: gone where
 * snapshot_needed says so and, on each function where gone is the newest
 * patch, the next newest.
 */
void snapshot_plan_disable(const struct registry *reg, const struct patch_record *gone, bool *plan);

/*
 * Attach rec's drops, snap its slot, attach its takes, on its entry-only
 * trampoline functions (a link already pinned is kept).
 */
int snapshot_links_attach(struct commit_ctx *cc, const struct patch_record *rec);

/*
 * 0 if every function the planned records (and incoming, if given) take
 * and drop on stays within the kernel's links per function during the
 * transaction; else refuses, saying what cannot be done (what: "disable
 * NAME@VERSION") and why.
 */
int snapshot_plan_fits(const struct registry *reg, const bool *plan,
		       const struct patch_meta *incoming, const char *what);

/* snapshot_links_attach() each record plan flags, oldest first. */
int snapshot_links_attach_plan(struct commit_ctx *cc, const struct registry *reg, const bool *plan);

/*
 * After flux is down: detach every active record's takes, then drops, on
 * its entry-only functions; also those a bpflp that died in a transaction
 * left.
 */
void snapshot_links_settle(const struct registry *reg);

#endif /* BPFLP_SNAPSHOT_LINKS_H */
