// SPDX-License-Identifier: GPL-2.0
/* The function-name index (loader/lib/btf_func_index.c) against libbpf's own lookup, on BTF built by hand. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "btf_func_index.h"

/* int NAME(void), as a FUNC of a FUNC_PROTO: its id. */
static int add_func(struct btf *btf, const char *name, int int_id)
{
	int proto = btf__add_func_proto(btf, int_id);

	return btf__add_func(btf, name, BTF_FUNC_GLOBAL, proto);
}

static void test_finds_what_libbpf_finds(void **state)
{
	struct btf *btf = btf__new_empty();
	struct btf_func_index *idx;
	int int_id, first, second;
	char name[32];

	(void)state;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "f_%d", i);
		add_func(btf, name, int_id);
	}
	/* Two FUNCs of one name (static functions of two files): the lower id is found. */
	first = add_func(btf, "twice", int_id);
	second = add_func(btf, "twice", int_id);
	assert_true(second > first);
	btf__add_var(btf, "not_a_func", BTF_VAR_GLOBAL_ALLOCATED, int_id);
	idx = btf_func_index_new(btf, 1);
	assert_non_null(idx);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(name, sizeof(name), "f_%d", i);
		assert_int_equal(btf_func_index_find(idx, name),
				 btf__find_by_name_kind(btf, name, BTF_KIND_FUNC));
	}
	assert_int_equal(btf_func_index_find(idx, "twice"), first);
	assert_int_equal(btf_func_index_find(idx, "twice"),
			 btf__find_by_name_kind(btf, "twice", BTF_KIND_FUNC));
	assert_int_equal(btf_func_index_find(idx, "not_a_func"), -ENOENT);
	assert_int_equal(btf_func_index_find(idx, "f_5000"), -ENOENT);
	assert_int_equal(btf_func_index_find(idx, ""), -ENOENT);
	btf_func_index_free(idx);
	btf__free(btf);
}

/* A module's split BTF: only its own functions, above the base. */
static void test_split_from_first_id(void **state)
{
	struct btf *base = btf__new_empty(), *split;
	struct btf_func_index *idx;
	int int_id, in_base, in_split;

	(void)state;
	int_id = btf__add_int(base, "int", 4, BTF_INT_SIGNED);
	in_base = add_func(base, "vmlinux_func", int_id);
	split = btf__new_empty_split(base);
	in_split = add_func(split, "module_func", int_id);
	idx = btf_func_index_new(split, btf__type_cnt(base));
	assert_non_null(idx);
	assert_int_equal(btf_func_index_find(idx, "module_func"), in_split);
	assert_int_equal(btf_func_index_find(idx, "vmlinux_func"), -ENOENT);
	assert_true(in_base > 0);
	btf_func_index_free(idx);
	btf__free(split);
	btf__free(base);
}

/* No functions at all: every lookup misses. */
static void test_empty(void **state)
{
	struct btf *btf = btf__new_empty();
	struct btf_func_index *idx;

	(void)state;
	btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	idx = btf_func_index_new(btf, 1);
	assert_non_null(idx);
	assert_int_equal(btf_func_index_find(idx, "int"), -ENOENT);
	btf_func_index_free(idx);
	btf_func_index_free(NULL);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_what_libbpf_finds),
		cmocka_unit_test(test_split_from_first_id),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
