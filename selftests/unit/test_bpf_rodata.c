// SPDX-License-Identifier: GPL-2.0
/*
 * The .rodata index on a real patch object (t-a@1, built by make all): the
 * macro's per-program knobs are static variables, the patch-wide ones
 * global; both are found by name, with their size checked, and what a
 * lookup writes is what the object will load.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_rodata.h"

#define PATCH_OBJ TEST_BUILD_DIR "/selftests/tests/core/t-a@1.bpf.o"
#define PROG_VAR  "bpflp_fid_security_file_open__ret"

static struct bpf_object *open_patch(void)
{
	struct bpf_object *obj = bpf_object__open_file(PATCH_OBJ, NULL);

	if (!obj)
		fail_msg("cannot open %s: %d (make all builds it)", PATCH_OBJ, -errno);
	return obj;
}

static void test_static_and_global_vars(void **state)
{
	struct bpf_object *obj = open_patch();
	struct bpf_rodata *rd = bpf_rodata_index(obj);
	__u64 *fid;
	__u32 *slot;

	(void)state;
	assert_non_null(rd);
	fid = bpf_rodata_find(rd, PROG_VAR, sizeof(__u64));
	slot = bpf_rodata_find(rd, "bpflp_slot", sizeof(__u32));
	assert_non_null(fid);
	assert_non_null(slot);
	assert_ptr_not_equal((void *)fid, (void *)slot);
	bpf_rodata_free(rd);
	bpf_object__close(obj);
}

static void test_wrong_size_or_name(void **state)
{
	struct bpf_object *obj = open_patch();
	struct bpf_rodata *rd = bpf_rodata_index(obj);

	(void)state;
	assert_null(bpf_rodata_find(rd, PROG_VAR, sizeof(__u32)));
	assert_null(bpf_rodata_find(rd, "bpflp_fid_nothing", sizeof(__u64)));
	assert_int_equal(bpf_rodata_var_id(rd, "bpflp_fid_nothing"), -ENOENT);
	assert_null(bpf_rodata_find(NULL, PROG_VAR, sizeof(__u64)));
	bpf_rodata_free(rd);
	bpf_object__close(obj);
}

static void test_var_id_and_linkage(void **state)
{
	struct bpf_object *obj = open_patch();
	struct bpf_rodata *rd = bpf_rodata_index(obj);
	const struct btf *btf = bpf_object__btf(obj);
	int id = bpf_rodata_var_id(rd, PROG_VAR);

	(void)state;
	assert_true(id > 0);
	assert_true(btf_is_var(btf__type_by_id(btf, id)));
	assert_string_equal(btf__name_by_offset(btf, btf__type_by_id(btf, id)->name_off), PROG_VAR);
	/*
	 * The macro's knobs are static, which libbpf does not look up among the
	 * ELF symbols (what made an open O(N^2)); the patch-wide ones global.
	 */
	assert_int_equal(btf_var(btf__type_by_id(btf, id))->linkage, BTF_VAR_STATIC);
	id = bpf_rodata_var_id(rd, "bpflp_slot");
	assert_true(id > 0);
	assert_int_equal(btf_var(btf__type_by_id(btf, id))->linkage, BTF_VAR_GLOBAL_ALLOCATED);
	bpf_rodata_free(rd);
	bpf_object__close(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_and_global_vars),
		cmocka_unit_test(test_wrong_size_or_name),
		cmocka_unit_test(test_var_id_and_linkage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
