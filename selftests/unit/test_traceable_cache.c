// SPDX-License-Identifier: GPL-2.0
/*
 * The copy of ftrace's traceable list (loader/kernel/traceable_cache.c)
 * without a kernel: a list read back as written, and every copy that must
 * not be used refused: another key, a file cut short, a count that does not
 * match, a header edited by hand, a link in the file's place.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "traceable_cache.h"

#define KEY    "0f1e2d3c-aaaa-bbbb-cccc-0123456789ab-00000000deadbeef"
#define SOURCE "/sys/kernel/tracing/available_filter_functions"

static char dir[] = "/tmp/bpflp-traceable-test.XXXXXX";
static char path[sizeof(dir) + 16];
static char *const sample[] = { "do_unlinkat", "security_file_open", "vfs_read" };

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/traceable", dir);
	return setenv("BPFLP_CACHE_DIR", dir, 1);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void write_raw(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *buffer;

/* Read the copy under KEY; what a successful read returned is freed by the next. */
static int read_back(char ***names, size_t *nr, char *source)
{
	return traceable_cache_read(KEY, &buffer, names, nr, source, 256);
}

static void test_round_trip(void **state)
{
	char **names = NULL, source[256];
	size_t nr = 0;

	(void)state;
	assert_int_equal(traceable_cache_write(KEY, SOURCE, sample, 3), 0);
	assert_int_equal(read_back(&names, &nr, source), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(names[0], "do_unlinkat");
	assert_string_equal(names[2], "vfs_read");
	assert_string_equal(source, SOURCE);
	free(names);
	free(buffer);
}

static void test_other_key(void **state)
{
	char **names = NULL, source[256];
	size_t nr = 0;

	(void)state;
	assert_int_equal(traceable_cache_write(KEY, SOURCE, sample, 3), 0);
	assert_int_equal(traceable_cache_read("another-boot-0000000000000000", &buffer, &names, &nr,
					      source, sizeof(source)),
			 -EINVAL);
	/* A key that is a prefix of the stored one is another key too. */
	assert_int_equal(traceable_cache_read("0f1e2d3c", &buffer, &names, &nr, source,
					      sizeof(source)),
			 -EINVAL);
}

static void test_damaged(void **state)
{
	static const char *const damaged[] = {
		"bpflp-traceable-1 " KEY " " SOURCE "\ndo_unlinkat\nvfs_re",     /* cut short */
		"bpflp-traceable-1 " KEY " " SOURCE "\ndo_unlinkat\nvfs_read\n", /* no end */
		"bpflp-traceable-1 " KEY " " SOURCE "\ndo_unlinkat\nend 2\n",    /* a name lost */
		"bpflp-traceable-1 " KEY " " SOURCE "\nend 0\n",                 /* empty */
		"bpflp-traceable-2 " KEY " " SOURCE "\ndo_unlinkat\nend 1\n", /* another format */
		"bpflp-traceable-1 " KEY " " SOURCE "\nend 1\ndo_unlinkat\n", /* names after end */
		"",
	};
	char **names = NULL, source[256];
	size_t nr = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		write_raw(damaged[i]);
		assert_int_not_equal(read_back(&names, &nr, source), 0);
	}
}

static void test_not_a_file(void **state)
{
	char **names = NULL, source[256];
	size_t nr = 0;

	(void)state;
	unlink(path);
	assert_int_equal(symlink("/etc/hostname", path), 0);
	assert_int_not_equal(read_back(&names, &nr, source), 0);
	unlink(path);
	assert_int_equal(read_back(&names, &nr, source), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_other_key),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_not_a_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
