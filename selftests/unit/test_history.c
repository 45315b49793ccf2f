// SPDX-License-Identifier: GPL-2.0
/*
 * The transaction history (loader/store/history.c) without a kernel: records
 * read back as written, hand-edited or cut-short lines refused one by one,
 * appends from many processes at once landing whole, a history that
 * cannot be written not failing the caller, and rotation at the bound.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "history.h"

static char dir[] = "/tmp/bpflp-history-test.XXXXXX";

static struct history_entry sample(void)
{
	struct history_entry e = {
		.time_ns = 1764281658123456789ULL,
		.duration_us = 412345,
		.pid = 1234,
	};

	snprintf(e.operation, sizeof(e.operation), "replace");
	snprintf(e.patch, sizeof(e.patch), "cve-fixes@2");
	snprintf(e.replaced, sizeof(e.replaced), "cve-fixes@1,other@7");
	snprintf(e.outcome, sizeof(e.outcome), "committed");
	return e;
}

static void test_round_trip(void **state)
{
	struct history_entry e = sample(), back;
	char line[HISTORY_LINE_MAX];

	(void)state;
	snprintf(e.error, sizeof(e.error), "tab\there, newline\nthere");
	assert_int_equal(history_format_line(&e, line, sizeof(line)), 0);
	assert_int_equal(history_parse_line(line, &back), 0);
	assert_int_equal(back.time_ns, e.time_ns);
	assert_int_equal(back.duration_us, e.duration_us);
	assert_int_equal(back.pid, 1234);
	assert_int_equal(back.recovered_by, 0);
	assert_string_equal(back.operation, "replace");
	assert_string_equal(back.patch, "cve-fixes@2");
	assert_string_equal(back.replaced, "cve-fixes@1,other@7");
	assert_string_equal(back.outcome, "committed");
	assert_string_equal(back.error, "tab here, newline there");

	/* Empty fields are "-" on disk and empty again once read. */
	e = sample();
	e.patch[0] = e.replaced[0] = '\0';
	e.duration_us = -1;
	e.recovered_by = 99;
	snprintf(e.outcome, sizeof(e.outcome), "rolled_back");
	assert_int_equal(history_format_line(&e, line, sizeof(line)), 0);
	assert_int_equal(history_parse_line(line, &back), 0);
	assert_string_equal(back.patch, "");
	assert_string_equal(back.replaced, "");
	assert_int_equal(back.duration_us, -1);
	assert_int_equal(back.recovered_by, 99);
}

static void test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"garbage\n",
		/* cut short: no newline */
		"1\t1\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\t-",
		/* another format */
		"2\t1\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\t-\n",
		/* a field too few, a field too many */
		"1\t1\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\n",
		"1\t1\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\t-\t-\n",
		/* an empty field */
		"1\t1\tapply\t\t-\tcommitted\t5\t7\t-\t-\n",
		/* unknown operation and outcome */
		"1\t1\tfrobnicate\tt-a@1\t-\tcommitted\t5\t7\t-\t-\n",
		"1\t1\tapply\tt-a@1\t-\tperhaps\t5\t7\t-\t-\n",
		/* not numbers */
		"1\tx\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\t-\n",
		"1\t1\tapply\tt-a@1\t-\tcommitted\t-5\t7\t-\t-\n",
		"1\t1\tapply\tt-a@1\t-\tcommitted\t5\t0\t-\t-\n",
		"1\t1\tapply\tt-a@1\t-\tcommitted\t5\t99999999999\t-\t-\n",
		"1\t99999999999999999999999\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\t-\n",
		/* bad specs */
		"1\t1\tapply\tT-A@1\t-\tcommitted\t5\t7\t-\t-\n",
		"1\t1\tapply\tt-a\t-\tcommitted\t5\t7\t-\t-\n",
		"1\t1\tapply\tt-a@1\tb@1,\tcommitted\t5\t7\t-\t-\n",
		"1\t1\tapply\tt-a@1\tb@4294967296\tcommitted\t5\t7\t-\t-\n",
		/* a control character */
		"1\t1\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\tbell\a\n",
	};
	struct history_entry e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (history_parse_line(bad[i], &e) != -EINVAL)
			fail_msg("accepted bad line %zu: '%s'", i, bad[i]);
	}
	assert_int_equal(history_parse_line("1\t1\tapply\tt-a@1\t-\tcommitted\t5\t7\t-\t-\n", &e), 0);
}

static int count_lines(const char *path)
{
	char line[HISTORY_LINE_MAX];
	struct history_entry e;
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(history_parse_line(line, &e), 0);
		n++;
	}
	fclose(f);
	return n;
}

/* 8 processes, 200 records each, at once: every record whole, none lost. */
static void test_concurrent_appends(void **state)
{
	char path[4096];
	struct history h;
	int status;

	(void)state;
	setenv("BPFLP_STATE_DIR", dir, 1);
	for (int p = 0; p < 8; p++) {
		if (fork() == 0) {
			struct history_entry e = sample();

			for (int i = 0; i < 200; i++)
				history_append(&e);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		assert_int_equal(status, 0);
	snprintf(path, sizeof(path), "%s/history.log", dir);
	assert_int_equal(count_lines(path), 1600);
	assert_int_equal(history_read(&h), 0);
	assert_int_equal(h.nr, 1600);
	assert_int_equal(h.skipped, 0);
	history_free(&h);
}

/* Past HISTORY_MAX_BYTES the file goes to history.log.1; both are read. */
static void test_rotation(void **state)
{
	struct history_entry e = sample();
	char path[4096], old[4096], line[HISTORY_LINE_MAX];
	struct history h;
	struct stat st;
	int len, n;

	(void)state;
	setenv("BPFLP_STATE_DIR", dir, 1);
	snprintf(path, sizeof(path), "%s/history.log", dir);
	snprintf(old, sizeof(old), "%s/history.log.1", dir);
	unlink(path);
	unlink(old);
	assert_int_equal(history_format_line(&e, line, sizeof(line)), 0);
	len = strlen(line);
	n = HISTORY_MAX_BYTES / len + 1; /* the first to reach the bound */
	for (int i = 0; i < n + 5; i++)
		history_append(&e);
	assert_int_equal(stat(old, &st), 0);
	assert_true(st.st_size >= HISTORY_MAX_BYTES);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5 * len);
	assert_int_equal(history_read(&h), 0);
	assert_int_equal(h.nr, n + 5);
	history_free(&h);
	/* A third fill replaces history.log.1: the bound holds. */
	for (int i = 0; i < 2 * n; i++)
		history_append(&e);
	assert_int_equal(stat(old, &st), 0);
	assert_true(st.st_size < HISTORY_MAX_BYTES + len);
}

/* A history that cannot be written costs one warning, nothing else. */
static void test_unwritable(void **state)
{
	struct history_entry e = sample();

	(void)state;
	setenv("BPFLP_STATE_DIR", "/proc/bpflp-no-such-dir", 1);
	history_append(&e);
	history_append(&e); /* no second warning (see stderr) */
	setenv("BPFLP_STATE_DIR", "relative/dir", 1);
	history_append(&e);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_concurrent_appends), cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_unwritable),
	};

	if (!mkdtemp(dir))
		return 1;
	return cmocka_run_group_tests(tests, NULL, teardown);
}
