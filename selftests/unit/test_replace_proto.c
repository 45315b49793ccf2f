// SPDX-License-Identifier: GPL-2.0
/*
 * BPFLP_REPLACE's prototype check on BTF built here: the kernel's
 * vfs_truncate(const struct path *, loff_t) against the prototype a patch
 * object records as bpflp_proto_vfs_truncate (a const volatile pointer to
 * int (int placeholder, args...)).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "replace_proto.h"

static char why[512];

/* The kernel: struct path, struct file, loff_t (typedef of long long), vfs_truncate. */
static struct btf *kernel_btf(void)
{
	struct btf *btf = btf__new_empty();
	int ll = btf__add_int(btf, "long long", 8, BTF_INT_SIGNED);
	int path = btf__add_struct(btf, "path", 16);
	int file = btf__add_struct(btf, "file", 232);
	int loff = btf__add_typedef(btf, "loff_t", ll);
	int cpath = btf__add_const(btf, path);
	int pcpath = btf__add_ptr(btf, cpath);
	int proto = btf__add_func_proto(btf, ll);

	assert_true(file > 0 && pcpath > 0 && loff > 0 && proto > 0);
	btf__add_func_param(btf, "path", pcpath);
	btf__add_func_param(btf, "length", loff);
	assert_true(btf__add_func(btf, "vfs_truncate", BTF_FUNC_GLOBAL, proto) > 0);
	return btf;
}

/* A patch object declaring args (BTF type names: "path*", "file*", "loff_t", "int"). */
static struct btf *object_btf(int nr, const char *const *args)
{
	struct btf *btf = btf__new_empty();
	int i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	int ll = btf__add_int(btf, "long long", 8, BTF_INT_SIGNED);
	int path = btf__add_struct(btf, "path", 16);
	int file = btf__add_struct(btf, "file", 232);
	int ppath = btf__add_ptr(btf, btf__add_const(btf, path));
	int pfile = btf__add_ptr(btf, file);
	int loff = btf__add_typedef(btf, "loff_t", btf__add_typedef(btf, "__kernel_loff_t", ll));
	int proto = btf__add_func_proto(btf, i32), ptr, var;

	btf__add_func_param(btf, "", i32); /* BPFLP_REPLACE's placeholder */
	for (int i = 0; i < nr; i++)
		btf__add_func_param(btf, "",
				    !strcmp(args[i], "path*")  ? ppath :
				    !strcmp(args[i], "file*")  ? pfile :
				    !strcmp(args[i], "loff_t") ? loff :
								 i32);
	ptr = btf__add_ptr(btf, proto);
	var = btf__add_var(btf, "bpflp_proto_vfs_truncate", BTF_VAR_GLOBAL_ALLOCATED,
			   btf__add_const(btf, btf__add_volatile(btf, ptr)));
	assert_true(var > 0);
	return btf;
}

/* The check as the loader calls it, with the ids it would have found. */
static int check_btf(const struct btf *o, const struct btf *k)
{
	return replace_proto_check(o,
				   btf__find_by_name_kind(o, "bpflp_proto_vfs_truncate", BTF_KIND_VAR),
				   k, btf__find_by_name_kind(k, "vfs_truncate", BTF_KIND_FUNC),
				   "vfs_truncate", why, sizeof(why));
}

static int check(int nr, const char *const *args)
{
	struct btf *k = kernel_btf(), *o = object_btf(nr, args);
	int err = check_btf(o, k);

	btf__free(o);
	btf__free(k);
	return err;
}

static void test_kernel_prototype_accepted(void **state)
{
	static const char *const args[] = { "path*", "loff_t" };

	(void)state;
	assert_int_equal(check(2, args), 0);
	assert_int_equal(check(1, args), 0); /* fewer arguments: fine */
	assert_int_equal(check(0, args), 0);
}

static void test_wrong_pointer_refused(void **state)
{
	static const char *const args[] = { "file*", "loff_t" };

	(void)state;
	assert_int_equal(check(2, args), -EINVAL);
	assert_string_equal(why,
			    "BPFLP_REPLACE(vfs_truncate) argument 1 is struct file *, the kernel's vfs_truncate takes struct path *: declare the body with the kernel's prototype");
}

static void test_wrong_integer_refused(void **state)
{
	static const char *const args[] = { "path*", "int" };

	(void)state;
	assert_int_equal(check(2, args), -EINVAL);
	assert_string_equal(why,
			    "BPFLP_REPLACE(vfs_truncate) argument 2 is 4-byte integer, the kernel's vfs_truncate takes 8-byte integer: declare the body with the kernel's prototype");
}

static void test_extra_argument_refused(void **state)
{
	static const char *const args[] = { "path*", "loff_t", "int" };

	(void)state;
	assert_int_equal(check(3, args), -EINVAL);
	assert_string_equal(why,
			    "BPFLP_REPLACE(vfs_truncate) declares 3 arguments, the kernel's vfs_truncate takes 2: declare the body with the kernel's prototype");
}

static void test_no_recorded_prototype(void **state)
{
	struct btf *k = kernel_btf(), *o = btf__new_empty();

	(void)state;
	assert_int_equal(check_btf(o, k), -EINVAL);
	assert_non_null(strstr(why, "no prototype recorded for BPFLP_REPLACE(vfs_truncate)"));
	btf__free(o);
	btf__free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_prototype_accepted),
		cmocka_unit_test(test_wrong_pointer_refused),
		cmocka_unit_test(test_wrong_integer_refused),
		cmocka_unit_test(test_extra_argument_refused),
		cmocka_unit_test(test_no_recorded_prototype),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
