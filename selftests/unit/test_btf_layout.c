// SPDX-License-Identifier: GPL-2.0
/* The shadow layout comparison (loader/lib/btf_layout.c) on BTF built by hand: no kernel needed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "btf_layout.h"

/*
 * struct NAME { __u64 opens; T second; } with T = __u32 (wide = 0) or
 * __u64 (wide = 1), named second_name; returns the struct's id.
 */
static int add_value(struct btf *btf, const char *name, const char *second_name, int wide)
{
	int u32 = btf__add_int(btf, "unsigned int", 4, 0);
	int u64 = btf__add_int(btf, "unsigned long long", 8, 0);
	int t32 = btf__add_typedef(btf, "__u32", u32);
	int t64 = btf__add_typedef(btf, "__u64", u64);
	int id = btf__add_struct(btf, name, wide ? 16 : 12);

	btf__add_field(btf, "opens", t64, 0, 0);
	btf__add_field(btf, second_name, wide ? t64 : t32, 64, 0);
	return id;
}

static void test_same_layout(void **state)
{
	struct btf *a = btf__new_empty(), *b = btf__new_empty();
	struct layout_diff d;
	char text[128];
	int ia, ib;

	(void)state;
	ia = add_value(a, "rl", "limit", 0);
	/* Another struct name, other type ids: the same layout. */
	btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	ib = add_value(b, "rl_v2", "limit", 0);
	assert_int_equal(btf_layout_diff(a, ia, b, ib, &d), 0);
	btf_layout_str(a, ia, text, sizeof(text));
	assert_string_equal(text, "struct rl {__u64 opens; __u32 limit;}");
	btf__free(a);
	btf__free(b);
}

static void test_first_differing_field(void **state)
{
	struct btf *a = btf__new_empty(), *b = btf__new_empty(), *c = btf__new_empty();
	struct layout_diff d;
	int ia, ib, ic;

	(void)state;
	ia = add_value(a, "rl", "limit", 0);
	ib = add_value(b, "rl", "limit", 1);
	assert_int_equal(btf_layout_diff(a, ia, b, ib, &d), 1);
	/* The struct's size differs too, but the field says more: it is named. */
	assert_string_equal(d.field, "limit");
	assert_string_equal(d.was, "__u32 at offset 8 (4 bytes)");
	assert_string_equal(d.now, "__u64 at offset 8 (8 bytes)");
	ic = add_value(c, "rl", "max", 0);
	assert_int_equal(btf_layout_diff(a, ia, c, ic, &d), 1);
	assert_string_equal(d.field, "limit");
	assert_string_equal(d.was, "__u32 at offset 8 (4 bytes)");
	assert_string_equal(d.now, "field 'max', __u32 at offset 8 (4 bytes)");
	/* A field only one side has. */
	assert_int_equal(btf_layout_diff(c, ic, a, ia, &d), 1);
	assert_string_equal(d.field, "max");
	btf__free(a);
	btf__free(b);
	btf__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_layout),
		cmocka_unit_test(test_first_differing_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
