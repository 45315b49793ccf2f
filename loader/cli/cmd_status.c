// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp status: is bpflp's state consistent with the kernel? For scripts
 * and monitoring: it changes nothing (unlike list, it does not recover a
 * dead transaction) and says it in its exit code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "args.h"
#include "commands.h"
#include "commit.h"
#include "drift_print.h"
#include "journal.h"
#include "kernel.h"
#include "output.h"
#include "snapshot_loader.h"
#include "status_codes.h"
#include "word_print.h"

struct status {
	enum status_code code;
	char why[512];
	__u64 word;
	struct journal journal; /* .magic set if one is pinned */
	bool journal_live;      /* its transaction holds the lock */
	struct registry reg;
	struct drift_report drift;
};

static bool bpffs_mounted(void)
{
	struct statfs fs;

	return !statfs(BPFFS_ROOT, &fs) && fs.f_type == BPF_FS_MAGIC;
}

static bool lock_held(void)
{
	int fd = open(STORE_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool held = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB);

	if (fd >= 0)
		close(fd);
	return held;
}

static void take_status(struct status *st)
{
	int err;

	if (kernel_probe_tracing(st->why, sizeof(st->why))) {
		st->code = STATUS_UNSUPPORTED;
		return;
	}
	if (!bpffs_mounted()) {
		st->code = STATUS_UNSUPPORTED;
		snprintf(st->why, sizeof(st->why),
			 "bpffs is not mounted at %s: no patch can be pinned, and none is applied; mount it with 'mount -t bpf bpf %s'",
			 BPFFS_ROOT, BPFFS_ROOT);
		return;
	}
	if (!journal_read(&st->journal)) {
		st->journal_live = lock_held();
		st->code = STATUS_PENDING;
		snprintf(st->why, sizeof(st->why),
			 st->journal_live ?
				 "a transaction is running" :
				 "a transaction died before it finished: 'bpflp recover' (or any bpflp command) finishes or rolls it back");
	} else {
		st->journal.magic = 0;
	}
	err = store_load(&st->reg) ?: store_read_commit_word(&st->word);
	if (err) {
		st->code = STATUS_UNRECOVERABLE;
		snprintf(st->why, sizeof(st->why), "cannot read the state in %s: %s", STORE_ROOT,
			 strerror(-err));
		return;
	}
	if (st->code == STATUS_PENDING)
		return;
	drift_scan(&st->reg, st->word, &st->drift);
	if (drift_unrepairable(&st->drift)) {
		st->code = STATUS_UNRECOVERABLE;
		snprintf(st->why, sizeof(st->why),
			 "the state does not match the kernel, and not all of it can be repaired: see below");
	} else if (st->drift.nr) {
		st->code = STATUS_DRIFT;
		snprintf(st->why, sizeof(st->why),
			 "the state does not match the kernel: 'bpflp recover' repairs it");
	}
}

static void print_status_json(const struct status *st)
{
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "status", status_codes[st->code].name);
	jsonw_uint_field(json_wtr, "exit_code", st->code);
	jsonw_string_field(json_wtr, "reason", st->why);
	if (st->code != STATUS_UNSUPPORTED) {
		word_print_json(&st->reg, st->word);
		jsonw_name(json_wtr, "active");
		jsonw_start_array(json_wtr);
		for (int i = 0; i < st->reg.nr; i++) {
			const struct patch_meta *m = &st->reg.recs[i].meta;
			char spec[PATCH_SPEC_MAX];

			if (m->status != PATCH_ACTIVE)
				continue;
			snprintf(spec, sizeof(spec), "%s@%u", m->name, m->version);
			jsonw_string(json_wtr, spec);
		}
		jsonw_end_array(json_wtr);
	}
	if (st->journal.magic) {
		jsonw_name(json_wtr, "pending_transaction");
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "operation",
				   st->journal.op == JOURNAL_APPLY ? "apply" : "disable");
		jsonw_string_field(json_wtr, "patch_dir", st->journal.dir);
		jsonw_uint_field(json_wtr, "pid", st->journal.pid);
		jsonw_bool_field(json_wtr, "running", st->journal_live);
		jsonw_end_object(json_wtr);
	}
	drift_print_json("drift", &st->drift);
	jsonw_end_object(json_wtr);
}

static void print_status_plain(const struct status *st)
{
	char word[96];
	int active = 0;

	printf("status: %s%s%s\n", status_codes[st->code].name, st->why[0] ? ": " : "", st->why);
	if (st->code == STATUS_UNSUPPORTED)
		return;
	for (int i = 0; i < st->reg.nr; i++)
		active += st->reg.recs[i].meta.status == PATCH_ACTIVE;
	word_format(&st->reg, st->word, word, sizeof(word));
	printf("commit word: %s, %d active patch%s\n", word, active, active == 1 ? "" : "es");
	if (st->journal.magic)
		printf("pending transaction: %s of %s by pid %u\n",
		       st->journal.op == JOURNAL_APPLY ? "apply" : "disable", st->journal.dir,
		       st->journal.pid);
	drift_print_plain("drift:", &st->drift, true);
	if (active)
		printf("note: removing %s or unmounting bpffs detaches every patch (what the companion module runs, at the next bpflp command): by design, that is how to remove all bpflp did\n",
		       STORE_ROOT);
}

int do_status(const struct verb_args *args)
{
	static struct status st;
	int err;

	(void)args;
	err = kernel_require_caps();
	if (err)
		return err;
	take_status(&st);
	if (json_output)
		print_status_json(&st);
	else
		print_status_plain(&st);
	registry_free(&st.reg);
	return st.code;
}
