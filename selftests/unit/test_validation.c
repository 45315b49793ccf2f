// SPDX-License-Identifier: GPL-2.0
/* Input validation that needs no kernel: patch names and specs (verb arguments: test_cli). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>
#include "args.h"
#include "patch_object.h"
#include "store.h"

static void test_patch_names(void **state)
{
	(void)state;
	assert_true(patch_name_valid("cve-fixes"));
	assert_true(patch_name_valid("a"));
	assert_true(patch_name_valid("x_1-2"));
	assert_true(patch_name_valid("abcdefghijklmnopqrstuvwxyz012345")); /* 32 */
	assert_false(patch_name_valid(""));
	assert_false(patch_name_valid("abcdefghijklmnopqrstuvwxyz0123456")); /* 33 */
	assert_false(patch_name_valid("a/b"));
	assert_false(patch_name_valid(".."));
	assert_false(patch_name_valid("Fix"));
	assert_false(patch_name_valid("fix@1"));
	assert_false(patch_name_valid("fix one"));
}

static void add_record(struct registry *reg, struct patch_record *recs, const char *name,
		       __u32 version, enum patch_status status, __u32 slot)
{
	struct patch_record *r = &recs[reg->nr++];

	memset(r, 0, sizeof(*r));
	strcpy(r->meta.name, name);
	r->meta.version = version;
	r->meta.status = status;
	r->meta.slot = slot;
	reg->recs = recs;
}

static void test_registry_lookup(void **state)
{
	struct patch_record recs[3];
	struct registry reg = {};

	(void)state;
	add_record(&reg, recs, "fix", 1, PATCH_REPLACED, 0);
	add_record(&reg, recs, "fix", 2, PATCH_ACTIVE, 1);
	add_record(&reg, recs, "other", 7, PATCH_ACTIVE, 4);
	assert_ptr_equal(registry_find_spec(&reg, "fix"), &recs[1]); /* the active one */
	assert_ptr_equal(registry_find_spec(&reg, "fix@1"), &recs[0]);
	assert_null(registry_find_spec(&reg, "fix@3"));
	assert_null(registry_find_spec(&reg, "fix@"));
	assert_null(registry_find_spec(&reg, "@1"));
	assert_null(registry_find_spec(&reg, "a/../fix"));
	assert_int_equal(registry_active_mask(&reg), (1ULL << 1) | (1ULL << 4));
}

static void test_spec_versions(void **state)
{
	static const char *const bad[] = {
		"fix@",
		"@1",
		"@",
		"fix@-1",
		"fix@+1",
		"fix@ 1",
		"fix@1 ",
		"fix@01",
		"fix@00",
		"fix@4294967296",
		"fix@18446744073709551617",
		"fix@99999999999999999999999",
		"fix@1x",
		"fix@0x10",
		"fix@1@2",
		"fix@1.0",
		"fix@\t1",
	};
	__u32 v = 12345;

	(void)state;
	assert_int_equal(patch_spec_version("fix", &v), 0);
	assert_int_equal(v, 12345);
	assert_int_equal(patch_spec_version("fix@0", &v), 1);
	assert_int_equal(v, 0);
	assert_int_equal(patch_spec_version("fix@10", &v), 1);
	assert_int_equal(v, 10);
	assert_int_equal(patch_spec_version("fix@4294967295", &v), 1);
	assert_int_equal(v, 4294967295U);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (patch_spec_version(bad[i], &v) != -EINVAL)
			fail_msg("spec '%s' accepted", bad[i]);
	}
}

static void test_registry_exact_versions(void **state)
{
	struct patch_record recs[2];
	struct registry reg = {};

	(void)state;
	add_record(&reg, recs, "fix", 4294967295U, PATCH_ACTIVE, 0);
	add_record(&reg, recs, "fix", 1, PATCH_REPLACED, 1);
	assert_ptr_equal(registry_find_spec(&reg, "fix@4294967295"), &recs[0]);
	assert_null(registry_find_spec(&reg, "fix@-1"));
	assert_null(registry_find_spec(&reg, "fix@01"));
	assert_null(registry_find_spec(&reg, "fix@ 1"));
	assert_null(registry_find_spec(&reg, "fix@+1"));
	assert_null(registry_find_spec(&reg, "fix@8589934593")); /* 2^33 + 1 */
	assert_ptr_equal(registry_find_spec(&reg, "fix@1"), &recs[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_names),
		cmocka_unit_test(test_registry_lookup),
		cmocka_unit_test(test_spec_versions),
		cmocka_unit_test(test_registry_exact_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
