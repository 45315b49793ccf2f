/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The history of transactions (bpflp log): one line per transaction,
 * appended to STATE_DIR/history.log (see state_dir.h).
 *
 * Why there: the history must outlive a reboot, which empties bpffs (and
 * bpffs pins only BPF objects anyway), and STATE_DIR is already the
 * operator's persistent bpflp data (the installed patch), moved as a whole
 * by BPFLP_STATE_DIR where /var is read-only.
 *
 * Never in the way: a transaction does not fail because its history cannot
 * be written; bpflp warns once on stderr and carries on. Nor does it wait
 * on it: the history is a regular file or nothing (opened O_NONBLOCK and
 * O_NOFOLLOW): a FIFO, a directory or a link there is refused, with a
 * warning by writers and an error by `bpflp log`.
 *
 * Safe with several bpflp at once: each record is one write() to a file
 * opened O_APPEND, so records never interleave; the file is rotated under
 * flock() on it, re-checked after the lock, so two writers rotate once.
 *
 * Bounded: when history.log reaches HISTORY_MAX_BYTES it is renamed
 * history.log.1 (replacing the previous one): at most about twice that on
 * disk, some 7000 records each.
 *
 * A line is "1" (the format) and nine more tab-separated fields: time_ns,
 * operation, patch, replaced (comma-separated), outcome, duration_us, pid,
 * recovered_by, error; "-" for an empty one. A line that does not parse
 * (edited by hand, cut short) is skipped and counted, never fatal.
 */
#ifndef BPFLP_HISTORY_H
#define BPFLP_HISTORY_H

#include <stdbool.h>
#include <linux/types.h>
#include <bpflp/abi.h>
#include "store.h"

#define HISTORY_FILE      "history.log"
#define HISTORY_MAX_BYTES (1024 * 1024)
#define HISTORY_LINE_MAX  4096
#define HISTORY_FORMAT    "1"

struct history_entry {
	__u64 time_ns;      /* CLOCK_REALTIME when it ended (or was recovered) */
	char operation[16]; /* apply, replace, boot, disable, recover, stats-on, stats-off */
	char patch[PATCH_SPEC_MAX]; /* NAME@VERSION, "" for none */
	char replaced[1024];        /* NAME@VERSION,...: what a replace turned off */
	char outcome[16];           /* one of history_outcomes */
	__s64 duration_us;          /* -1: not known (it died; recovered later) */
	__u32 pid;                  /* the bpflp that ran it */
	__u32 recovered_by;         /* the bpflp that finished it, 0 for none */
	char error[1024];           /* failed: the error reported, else "" */
};

/*
 * committed: the change is in; unchanged: nothing to do (already active);
 * repaired: pins or links put back (apply of the active patch, recover);
 * failed: refused or rolled back by the bpflp running it, nothing changed;
 * rolled_back / rolled_forward: its bpflp died, a later one undid or
 * finished it.
 */
extern const char *const history_outcomes[];

/* A clock for durations, in microseconds (CLOCK_MONOTONIC). */
__s64 history_clock_us(void);

/* Append one record; never fails (warns once on stderr). time_ns 0: now. */
void history_append(const struct history_entry *e);

/*
 * The record of a transaction this process ran, started at history_clock_us()
 * = started_us, ending with err (0, or a negative errno: outcome "failed",
 * error the message bpflp reported). Fills time, duration and pid, appends.
 */
void history_finish(struct history_entry *e, __s64 started_us, int err);

struct journal;
/* A dead bpflp's transaction, finished (rolled_forward) or undone by this one. */
void history_record_recovery(const struct journal *j, bool rolled_forward);

/* One record as a line, '\n' included: 0, or -ENAMETOOLONG. */
int history_format_line(const struct history_entry *e, char *buf, size_t size);
/* One line ('\n' included, as read) back: 0, or -EINVAL when it does not parse. */
int history_parse_line(const char *line, struct history_entry *e);

struct history {
	struct history_entry *entries; /* oldest first (malloc'd) */
	int nr;
	int skipped; /* lines that did not parse */
	char path[4096];
};

/* history.log.1 then history.log: 0 (no file: no entries), or -errno (reported). */
int history_read(struct history *h);
void history_free(struct history *h);

#endif /* BPFLP_HISTORY_H */
