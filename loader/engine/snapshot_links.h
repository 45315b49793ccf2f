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
#include "commit.h"
#include "store.h"

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
 * Attach, for this transaction, the takes and drops of the active patches
 * a cumulative apply of incoming replaces, where incoming does not run
 * first: on each function incoming does not touch that two programs
 * share, the newest patch there. Refused up front, nothing attached, if a
 * function would pass the kernel's links per function.
 */
int snapshot_links_for_replace(struct commit_ctx *cc, const struct registry *reg,
			       const struct patch_meta *incoming);

/*
 * The same for a disable of gone: gone where snapshot_needed says so and,
 * on each function where gone is the newest patch, the next newest (its
 * take renews what calls leave once gone is detached).
 */
int snapshot_links_for_disable(struct commit_ctx *cc, const struct registry *reg,
			       const struct patch_record *gone);

/*
 * After flux is down: detach every active record's takes, then drops, on
 * its entry-only functions; also those a bpflp that died in a transaction
 * left.
 */
void snapshot_links_settle(const struct registry *reg);

#endif /* BPFLP_SNAPSHOT_LINKS_H */
