// SPDX-License-Identifier: GPL-2.0
/*
 * Repairs of what an operator deleted by hand (see drift.h): every
 * transaction re-pins and re-arms; recover and re-applying repair more.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "commit.h"
#include "drift.h"
#include "journal.h"
#include "kernel.h"
#include "log.h"
#include "output.h"
#include "patch_object.h"
#include "shadow.h"
#include "stage.h"
#include "teardown.h"
#include "txn.h"
#include "txn_internal.h"
#include "util.h"
#include "word_bits.h"

/* Every active patch armed in its slot (bpflp_armed lost by hand comes back empty). */
int txn_arm_active(struct txn *t)
{
	int err = 0;

	for (int i = 0; i < t->reg.nr && !err; i++) {
		const struct patch_meta *m = &t->reg.recs[i].meta;
		__u32 slot = m->slot;
		__u64 armed;

		if (m->status != PATCH_ACTIVE || t->reg.recs[i].dir_missing)
			continue;
		if (bpf_map_lookup_elem(t->cc.armed_fd, &slot, &armed) || armed != m->gen)
			err = arm_slot(&t->cc, slot, m->gen);
	}
	return err;
}

/* Shared maps deleted by hand while patches live: pin them again before anything loads. */
void txn_repin_shared_maps(void)
{
	struct registry early;

	if (!store_load(&early)) {
		drift_repin_shared_maps(&early);
		shadow_repin(&early);
	}
	registry_free(&early);
}

/*
 * What `recover` does beyond the journal: make the records tell the truth
 * (a patch no longer in effect is recorded as disabled; slots the word
 * enables for no record are cleared), attach again what was detached by
 * hand, and rebuild the gate maps from the records.
 */
int txn_repair_drift(struct txn *t, struct recover_result *res)
{
	struct dispatch_sink sink;
	struct drift_report scan;
	__u64 clear = 0, disabled = 0;
	int err = 0;

	for (int i = 0; i < t->reg.nr; i++) {
		struct patch_record *rec = &t->reg.recs[i];
		struct patch_meta *m = &rec->meta;
		__u64 bit = 1ULL << m->slot;

		if (m->status != PATCH_ACTIVE)
			continue;
		if (!rec->dir_missing && (t->word & bit)) {
			drift_reattach(rec, &res->repairs);
			continue;
		}
		if (rec->dir_missing)
			clear |= t->word & bit;
		m->status = PATCH_DISABLED;
		m->changed_at = realtime_ns();
		disabled |= bit;
		if (rec->dir_missing && mkdir(rec->dir, 0700) && errno != EEXIST)
			err = -errno;
		err = err ?: store_write_meta(rec->dir, m);
		err = err ?: teardown_patch_dir(rec->dir, true);
		drift_add(&res->repairs, m, DRIFT_RECORD, "%s",
			  rec->dir_missing ?
				  "recorded as disabled: its directory had been deleted, which detached it" :
				  "recorded as disabled: the commit word no longer enabled it");
	}
	drift_scan(&t->reg, t->word, &scan);
	if (!drift_unrepairable(&scan))
		clear |= word_slots(&t->reg, t->word) & ~registry_active_mask(&t->reg);
	if (clear && !err) {
		err = commit_word(&t->cc, t->word, t->word & ~clear);
		if (!err) {
			t->word &= ~clear;
			drift_add(&res->repairs, NULL, DRIFT_RECORD,
				  "cleared slots %#llx, which no active record holds, from the commit word",
				  (unsigned long long)clear);
		}
	}
	/* Released as a disable releases them, once the word no longer enables them (txn_reconcile). */
	for (__u32 s = 0; s < BPFLP_MAX_SLOTS; s++)
		if ((disabled & ~t->word) & (1ULL << s))
			err = disarm_slot(&t->cc, s) ?: err;
	err = txn_reload_registry(t) ?: err;
	/*
	 * Stubs as the records say, now: the scan after the repair must find
	 * them mended. The side a commit of a dead bpflp left is emptied only
	 * once every program that read the word before it has returned.
	 */
	grace_period();
	sink = drift_dispatch_sink(&res->repairs);
	dispatch_settle(&t->cc, &t->reg, t->word, &sink);
	return txn_sync_gate_maps(t, NULL, word_slots(&t->reg, t->word)) ?: err;
}

/*
 * Load the active patch's object again and pin the programs whose pins
 * are gone, then attach what is missing: loaded onto the patch's live
 * shadows, as when it was applied (same code, same layout).
 */
static int reload_lost_programs(const struct patch_record *rec, struct patch_object *po,
				struct drift_report *pass)
{
	int err;

	err = shadow_plan(po, true);
	if (err)
		return err;
	/* As stage_patch loaded it: a dispatched program must not read the word again. */
	err = patch_object_load(po,
				dispatch_in_record(&rec->meta) ? BPFLP_DISPATCH_SLOT : rec->meta.slot,
				rec->meta.gen, true);
	if (err)
		return err;
	err = shadow_pin_created(po);
	if (err)
		return err;
	err = pin_missing_programs(po, &rec->meta, rec->dir);
	if (err)
		return err;
	err = drift_reattach(rec, pass);
	if (err)
		return err;
	drift_add(pass, &rec->meta, DRIFT_REAPPLY,
		  "loaded the programs whose pins were gone from %s again", po->path);
	return 0;
}

/*
 * Applying the active NAME@VERSION again (the same code) repairs what was
 * detached by hand: from the pinned programs, or, where those are gone
 * too, from the object loaded again into the patch's slot. Same slot, same
 * word: no commit, the function is patched again as soon as it is attached.
 */
int txn_repair_active(struct patch_record *rec, struct patch_object *po, struct drift_report *done)
{
	struct drift_report pass = {};
	int err;

	err = drift_reattach(rec, &pass);
	if (!err && drift_unrepairable(&pass)) {
		memset(&pass, 0, sizeof(pass));
		err = reload_lost_programs(rec, po, &pass);
	}
	*done = pass;
	if (err)
		p_err("cannot repair %s@%u: %s", rec->meta.name, rec->meta.version, strerror(-err));
	return err;
}
