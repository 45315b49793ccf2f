// SPDX-License-Identifier: GPL-2.0
/* The history of transactions: see history.h for where, why and how big. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "history.h"
#include "journal.h"
#include "log.h"
#include "output.h"
#include "state_dir.h"
#include "util.h"

const char *const history_outcomes[] = {
	"committed", "unchanged", "repaired", "failed", "rolled_back", "rolled_forward", NULL,
};

static const char *const history_operations[] = {
	"apply", "replace", "boot", "disable", "recover", "stats-on", "stats-off", NULL,
};

#define NR_FIELDS 10

__s64 history_clock_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__s64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A field as written: "-" for empty, tabs, newlines and other controls as spaces. */
static int put_field(char *buf, size_t size, size_t *len, const char *s)
{
	if (*len + 2 > size)
		return -ENAMETOOLONG;
	buf[(*len)++] = '\t';
	if (!*s)
		s = "-";
	for (; *s; s++) {
		if (*len + 2 > size)
			return -ENAMETOOLONG;
		buf[(*len)++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	}
	buf[*len] = '\0';
	return 0;
}

int history_format_line(const struct history_entry *e, char *buf, size_t size)
{
	char num[4][24];
	const char *fields[NR_FIELDS - 1];
	size_t len;
	int err = 0;

	snprintf(num[0], sizeof(num[0]), "%llu", (unsigned long long)e->time_ns);
	if (e->duration_us >= 0)
		snprintf(num[1], sizeof(num[1]), "%lld", (long long)e->duration_us);
	else
		num[1][0] = '\0';
	snprintf(num[2], sizeof(num[2]), "%u", e->pid);
	if (e->recovered_by)
		snprintf(num[3], sizeof(num[3]), "%u", e->recovered_by);
	else
		num[3][0] = '\0';
	fields[0] = num[0];
	fields[1] = e->operation;
	fields[2] = e->patch;
	fields[3] = e->replaced;
	fields[4] = e->outcome;
	fields[5] = num[1];
	fields[6] = num[2];
	fields[7] = num[3];
	fields[8] = e->error;
	if (try_snprintf(buf, size, "%s", HISTORY_FORMAT))
		return -ENAMETOOLONG;
	len = strlen(buf);
	for (int i = 0; i < NR_FIELDS - 1 && !err; i++)
		err = put_field(buf, size, &len, fields[i]);
	if (err || len + 2 > size)
		return -ENAMETOOLONG;
	buf[len++] = '\n';
	buf[len] = '\0';
	return 0;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* Decimal digits only, at most 20, into *v. */
static bool parse_u64(const char *s, __u64 *v)
{
	size_t n = strlen(s);
	char *end;

	if (!n || n > 20 || strspn(s, "0123456789") != n)
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno;
}

/* NAME@VERSION as bpflp writes it: [a-z0-9_-]{1,32}@digits. */
static bool valid_spec(const char *s)
{
	size_t name = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
	__u64 v;

	return name >= 1 && name <= BPFLP_NAME_MAX && s[name] == '@' &&
	       parse_u64(s + name + 1, &v) && v <= 0xffffffffULL;
}

static bool valid_spec_list(const char *s)
{
	char *save, *tok, copy[1024];

	if (try_snprintf(copy, sizeof(copy), "%s", s))
		return false;
	if (!*copy || copy[strlen(copy) - 1] == ',')
		return false;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!valid_spec(tok))
			return false;
	return true;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	if (!strcmp(src, "-"))
		src = "";
	return try_snprintf(dst, size, "%s", src) ? -EINVAL : 0;
}

int history_parse_line(const char *line, struct history_entry *e)
{
	char copy[HISTORY_LINE_MAX], *fields[NR_FIELDS], *p;
	size_t len = strlen(line);
	__u64 v;
	int nr = 0;

	memset(e, 0, sizeof(*e));
	/* A line cut short (no newline) or longer than bpflp writes is not one of bpflp's. */
	if (!len || line[len - 1] != '\n' || len >= sizeof(copy))
		return -EINVAL;
	memcpy(copy, line, len - 1);
	copy[len - 1] = '\0';
	for (p = copy; nr < NR_FIELDS; nr++) {
		fields[nr] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (nr != NR_FIELDS - 1 || p || strcmp(fields[0], HISTORY_FORMAT))
		return -EINVAL;
	for (int i = 1; i < NR_FIELDS; i++)
		if (!*fields[i])
			return -EINVAL;
	for (const char *c = line; *c != '\n'; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return -EINVAL;
	if (!parse_u64(fields[1], &e->time_ns) || !in_list(history_operations, fields[2]) ||
	    !in_list(history_outcomes, fields[5]))
		return -EINVAL;
	if (strcmp(fields[3], "-") && !valid_spec(fields[3]))
		return -EINVAL;
	if (strcmp(fields[4], "-") && !valid_spec_list(fields[4]))
		return -EINVAL;
	e->duration_us = -1;
	if (strcmp(fields[6], "-")) {
		if (!parse_u64(fields[6], &v) || v > INT64_MAX)
			return -EINVAL;
		e->duration_us = v;
	}
	if (!parse_u64(fields[7], &v) || !v || v > UINT32_MAX)
		return -EINVAL;
	e->pid = v;
	if (strcmp(fields[8], "-")) {
		if (!parse_u64(fields[8], &v) || !v || v > UINT32_MAX)
			return -EINVAL;
		e->recovered_by = v;
	}
	if (copy_field(e->operation, sizeof(e->operation), fields[2]) ||
	    copy_field(e->patch, sizeof(e->patch), fields[3]) ||
	    copy_field(e->replaced, sizeof(e->replaced), fields[4]) ||
	    copy_field(e->outcome, sizeof(e->outcome), fields[5]) ||
	    copy_field(e->error, sizeof(e->error), fields[9]))
		return -EINVAL;
	return 0;
}

/* What path is when it is not a regular file ("a FIFO"), else NULL. */
static const char *not_regular(const char *path)
{
	struct stat st;

	if (lstat(path, &st) || S_ISREG(st.st_mode))
		return NULL;
	return S_ISDIR(st.st_mode)                        ? "a directory" :
	       S_ISFIFO(st.st_mode)                       ? "a FIFO" :
	       S_ISLNK(st.st_mode)                        ? "a symbolic link" :
	       S_ISSOCK(st.st_mode)                       ? "a socket" :
	       S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
							    "not a regular file";
}

/*
 * The history is a regular file or nothing. O_NONBLOCK: a FIFO put there
 * would otherwise hold the open until someone opens its other end (a
 * writer would wait after its commit, log forever); O_NOFOLLOW: a symbolic
 * link is not followed. -EINVAL for anything that opens but is not a
 * regular file (a FIFO with a reader, a device); not_regular() says what.
 */
static int open_regular(const char *path, int flags)
{
	struct stat st;
	int fd = open(path, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* flock() without waiting more than about a second on whoever holds it. */
static int lock_briefly(int fd)
{

	for (int tries = 100; flock(fd, LOCK_EX | LOCK_NB); tries--) {
		if (errno != EWOULDBLOCK || !tries)
			return -1;
		sleep_ms(10);
	}
	return 0;
}

/*
 * Open history.log for appending, rotating it first when it is full. The
 * rotation is done under flock() on the full file, and only if the path
 * still names that file: a second writer that waited for the lock finds it
 * renamed already and opens the new one.
 */
static int open_for_append(const char *path)
{
	char old[PATH_MAX];
	struct stat st, cur;
	int fd;

	if (try_snprintf(old, sizeof(old), "%s.1", path))
		return -ENAMETOOLONG;
	for (int tries = 0; tries < 3; tries++) {
		fd = open_regular(path, O_WRONLY | O_APPEND | O_CREAT);
		if (fd < 0)
			return fd;
		if (fstat(fd, &st) || st.st_size < HISTORY_MAX_BYTES)
			return fd;
		if (lock_briefly(fd))
			return fd;
		/* Cannot rotate: better a longer file than no record. */
		if (!stat(path, &cur) && cur.st_ino == st.st_ino && cur.st_dev == st.st_dev &&
		    rename(path, old))
			return fd;
		close(fd); /* releases the lock */
	}
	return -EAGAIN;
}

static int append_line(const char *path, const char *line)
{
	char dir[PATH_MAX];
	size_t len = strlen(line);
	ssize_t n;
	int fd, err;

	err = state_dir_path(dir, sizeof(dir), "");
	if (err)
		return err;
	fd = open_for_append(path);
	if (fd == -ENOENT) {
		err = mkdir_p(dir);
		if (err)
			return err;
		fd = open_for_append(path);
	}
	if (fd < 0)
		return fd;
	/* One write() of the whole record: O_APPEND makes it land in one piece. */
	n = write(fd, line, len);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	return err;
}

void history_append(const struct history_entry *e)
{
	static bool warned;
	struct history_entry copy = *e;
	char line[HISTORY_LINE_MAX], path[PATH_MAX] = "";
	const char *kind = NULL;
	int err;

	if (!copy.time_ns)
		copy.time_ns = realtime_ns();
	/* Only what reads back: a spec the user typed (disable NAME) is not a NAME@VERSION. */
	if (copy.patch[0] && !valid_spec(copy.patch))
		copy.patch[0] = '\0';
	if (copy.replaced[0] && !valid_spec_list(copy.replaced))
		copy.replaced[0] = '\0';
	err = history_format_line(&copy, line, sizeof(line));
	if (err == -ENAMETOOLONG) {
		/* Only the error text can be that long: shorten it rather than lose the record. */
		copy.error[200] = '\0';
		copy.replaced[512] = '\0';
		err = history_format_line(&copy, line, sizeof(line));
	}
	if (!err && state_dir_path(path, sizeof(path), HISTORY_FILE)) {
		path[0] = '\0';
		err = -EINVAL;
	}
	if (!err)
		err = append_line(path, line);
	if (!err || warned)
		return;
	if (path[0])
		kind = not_regular(path);
	/*
	 * A command that failed has said why in its one error line: a second
	 * line about the history (often the same missing permission) is -v's.
	 */
	if (!strcmp(copy.outcome, "failed")) {
		pr_debug("cannot write the transaction history: %s\n", strerror(-err));
		return;
	}
	warned = true;
	if (kind) {
		pr_warn("warning: cannot write the transaction history to %s: it is %s, not a regular file; the transaction is not affected (remove it: bpflp creates the file again)\n",
			path, kind);
		return;
	}
	if (state_dir_path(path, sizeof(path), HISTORY_FILE))
		snprintf(path, sizeof(path), "$BPFLP_STATE_DIR/%s ('%s' is not an absolute path)",
			 HISTORY_FILE, getenv("BPFLP_STATE_DIR") ?: "");
	pr_warn("warning: cannot write the transaction history to %s: %s; the transaction is not affected (BPFLP_STATE_DIR selects a writable directory)\n",
		path, strerror(-err));
}

void history_finish(struct history_entry *e, __s64 started_us, int err)
{
	e->time_ns = 0;
	e->duration_us = history_clock_us() - started_us;
	e->pid = getpid();
	if (err < 0) {
		snprintf(e->outcome, sizeof(e->outcome), "failed");
		snprintf(e->error, sizeof(e->error), "%s",
			 output_first_error()[0] ? output_first_error() : strerror(-err));
	}
	history_append(e);
}

void history_record_recovery(const struct journal *j, bool rolled_forward)
{
	struct history_entry e = {
		.duration_us = -1,
		.pid = j->pid,
		.recovered_by = getpid(),
	};
	const char *slash = strrchr(j->dir, '/');

	snprintf(e.operation, sizeof(e.operation), "%s",
		 j->op == JOURNAL_APPLY ? "apply" : "disable");
	snprintf(e.outcome, sizeof(e.outcome), "%s",
		 rolled_forward ? "rolled_forward" : "rolled_back");
	/* The patch directory is .../patches/NAME@VERSION: keep it only if it is one. */
	if (slash && valid_spec(slash + 1))
		snprintf(e.patch, sizeof(e.patch), "%s", slash + 1);
	history_append(&e);
}

static int read_file(struct history *h, const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd;
	FILE *f;

	fd = open_regular(path, O_RDONLY);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct history_entry *grown;

		if (memchr(line, '\0', n) || history_parse_line(line, &h->entries[h->nr])) {
			h->skipped++;
			continue;
		}
		h->nr++;
		if (h->nr % 256)
			continue;
		grown = realloc(h->entries, (h->nr + 256) * sizeof(*grown));
		if (!grown) {
			free(line);
			fclose(f);
			return -ENOMEM;
		}
		h->entries = grown;
	}
	free(line);
	fclose(f);
	return 0;
}

static int report_read_error(const char *path, int err)
{
	const char *kind = not_regular(path);

	if (kind && (err == -EINVAL || err == -ELOOP || err == -ENXIO || err == -EISDIR))
		p_err("the history %s is %s, not a regular file: remove it (bpflp writes a new one at the next transaction)",
		      path, kind);
	else
		p_err("cannot read the history %s: %s", path, strerror(-err));
	return err;
}

int history_read(struct history *h)
{
	char old[PATH_MAX];
	int err;

	memset(h, 0, sizeof(*h));
	err = state_dir_path(h->path, sizeof(h->path), HISTORY_FILE);
	if (err == -EINVAL) {
		p_err("BPFLP_STATE_DIR must be an absolute path, got '%s'",
		      getenv("BPFLP_STATE_DIR"));
		return err;
	}
	if (err || try_snprintf(old, sizeof(old), "%s.1", h->path)) {
		p_err("BPFLP_STATE_DIR is too long: '%s'", getenv("BPFLP_STATE_DIR"));
		return -ENAMETOOLONG;
	}
	h->entries = malloc(256 * sizeof(*h->entries));
	if (!h->entries) {
		p_err("out of memory");
		return -ENOMEM;
	}
	err = read_file(h, old);
	if (err)
		return report_read_error(old, err);
	err = read_file(h, h->path);
	return err ? report_read_error(h->path, err) : 0;
}

void history_free(struct history *h)
{
	free(h->entries);
	h->entries = NULL;
	h->nr = 0;
}
