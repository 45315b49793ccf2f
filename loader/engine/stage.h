/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A patch's programs in the kernel, gates shut: attached with bpflp's
 * snapshot programs around them, or pinned again by a repair. The commit
 * (commit.h) is what lets them act.
 */
#ifndef BPFLP_STAGE_H
#define BPFLP_STAGE_H

#include "commit.h"
#include "patch_object.h"
#include "store.h"

/*
 * Pin everything of a patch loaded into slot under dir and attach it, gates
 * shut, with bpflp's snapshot programs around its programs on each function
 * where it has an fexit program, and, with snap_cc, on every function
 * (its slot then snapped in snap_cc's state until the transaction ends).
 */
int attach_patch(struct patch_object *po, const struct patch_meta *meta, const char *dir,
		 struct commit_ctx *snap_cc);

/*
 * Repair: pin, from po loaded into slot, each of its programs (and bpflp's
 * snapshot programs) whose pin under dir is gone; attaches nothing.
 */
int pin_missing_programs(struct patch_object *po, const struct patch_meta *meta, const char *dir);

/*
 * Repair: load bpflp's take and drop of the active patch meta on func again,
 * from meta alone (they hold no code of the patch's), and pin those whose
 * pin under dir is gone; attaches nothing. -EOPNOTSUPP on the companion
 * route, whose drop the module holds.
 */
int restore_snapshot_programs(const struct patch_meta *meta, const char *dir, const char *func);

#endif /* BPFLP_STAGE_H */
