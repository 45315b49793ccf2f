// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp disable, gc, stats and recover as transactions, on txn_core.c's machinery.
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
#include "fault.h"
#include "journal.h"
#include "kernel.h"
#include "livepatch_txn.h"
#include "log.h"
#include "output.h"
#include "patch_object.h"
#include "snapshot_links.h"
#include "dispatch_set.h"
#include "teardown.h"
#include "txn.h"
#include "txn_internal.h"
#include "util.h"

int txn_disable(const char *spec, int timeout_s, bool keep_shadow, struct disable_result *res)
{
	struct patch_record *rec;
	struct lp_plan lp;
	bool lp_switched = false;
	struct txn t;
	int err;

	memset(res, 0, sizeof(*res));
	err = txn_begin(&t, NULL, false);
	if (err < 0)
		goto out;
	rec = err == NO_STORE ? NULL : registry_find_spec(&t.reg, spec);
	if (!rec || rec->meta.status != PATCH_ACTIVE) {
		p_err("no active patch '%s': see 'bpflp list' for what is active", spec);
		err = -ENOENT;
		goto out;
	}
	err = lp_plan_init(&lp, NULL, &t.reg, 1ULL << rec->meta.slot, timeout_s);
	if (!err)
		err = snapshot_links_for_disable(&t.cc, &t.reg, rec) ?: epoch_next(&t.cc);
	if (err)
		goto out;
	txn_plan_journal(&t, JOURNAL_DISABLE, t.word & ~(1ULL << rec->meta.slot), rec->meta.slot);
	t.journal.keep_shadow = keep_shadow;
	err = try_snprintf(t.journal.dir, sizeof(t.journal.dir), "%s", rec->dir);
	if (err) {
		p_err("patch directory %s is too long for the journal", rec->dir);
		goto out;
	}
	res->meta = rec->meta;
	err = journal_write(&t.journal);
	if (err) {
		p_err("cannot write the transaction journal %s: %s", JOURNAL_PIN, strerror(-err));
		goto out;
	}
	fault_point("begin");
	err = dispatch_prepare(&t.cc, &t.reg, rec, false, NULL, NULL, t.journal.pre_word,
			       t.journal.post_word);
	err = err ?: txn_run_pinned_callback(rec, CB_PRE_UNPATCH, &res->pre_unpatch_ret);
	if (!err) {
		char who[PATCH_SPEC_MAX + 8];

		snprintf(who, sizeof(who), "%s is out", spec);
		err = txn_commit(&t, &lp, NULL, who, &lp_switched);
	}
	if (err && lp_switched)
		goto out; /* recover completes it */
	if (err) {
		journal_remove();
		goto out;
	}
	snprintf(res->module_removed, sizeof(res->module_removed), "%s", lp.step.old_module);
	err = lp_after_commit(&lp);
	if (err) {
		p_err("%s is disabled, but removing livepatch module %s failed: %s; run 'bpflp recover'",
		      spec, lp.step.old_module, strerror(-err));
		goto out;
	}
	err = txn_finish(&t, CB_POST_UNPATCH);
	res->meta.status = PATCH_DISABLED;
	if (err)
		p_err("%s is disabled, but cleaning up after the commit failed: %s; run 'bpflp recover'",
		      spec, strerror(-err));
out:
	txn_end(&t, err);
	return err;
}

int txn_gc(struct gc_result *res)
{
	struct patch_meta *removed;
	struct txn t;
	int err;

	memset(res, 0, sizeof(*res));
	err = txn_begin(&t, NULL, false);
	if (err == NO_STORE)
		err = 0; /* no state: nothing to collect */
	for (int i = 0; !err && i < t.reg.nr; i++) {
		const struct patch_record *rec = &t.reg.recs[i];

		/* Active and staged records own live objects: never collected. */
		if (rec->meta.status != PATCH_REPLACED && rec->meta.status != PATCH_DISABLED)
			continue;
		removed = realloc(res->removed, (res->nr_removed + 1) * sizeof(*removed));
		if (!removed) {
			err = -ENOMEM;
			break;
		}
		res->removed = removed;
		err = teardown_patch_dir(rec->dir, false);
		if (err) {
			p_err("cannot remove the record %s: %s", rec->dir, strerror(-err));
			break;
		}
		res->removed[res->nr_removed++] = rec->meta;
	}
	txn_end(&t, err);
	return err;
}

int txn_stats(bool off, bool *changed)
{
	struct txn t;
	int err;

	*changed = false;
	/* On is where a machine without bpflp's state starts: nothing to make for it. */
	err = txn_begin(&t, NULL, off);
	if (err == NO_STORE)
		err = 0;
	else if (!err)
		err = stats_switch(&t.cc, off, changed);
	txn_end(&t, err);
	return err;
}

int txn_recover(struct recover_result *res)
{
	struct txn t;
	int err;

	bool repair = res->repair_drift;

	memset(res, 0, sizeof(*res));
	res->repair_drift = repair;
	err = txn_begin(&t, res, false);
	if (err == NO_STORE)
		err = 0; /* bpflp never ran here: nothing to recover */
	else if (!err && repair)
		drift_scan(&t.reg, t.word, &res->remaining);
	/* A first apply rolled back leaves no tree; only now, when nothing else uses it. */
	if (!err)
		txn_drop_created_store(&t);
	txn_end(&t, err);
	return err;
}

int txn_recover_if_pending(struct journal *in_flight)
{
	struct recover_result res;
	int fd;

	if (journal_read(in_flight))
		return 0;
	/* A live transaction holds the lock: report it rather than wait. */
	fd = open(STORE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return 1;
	}
	if (fd >= 0)
		close(fd);
	return txn_recover(&res);
}
