// SPDX-License-Identifier: GPL-2.0
/*
 * klp_elf: the livepatch structures' layout from BTF, and what a livepatch
 * module patches read from the .ko files `make kmod` builds for 6.1. The
 * BTF is built here with the layout both test kernels have (pahole on the
 * modules' DWARF: klp_func 152 bytes, klp_object 168, klp_patch 200 with
 * .replace at 24), so the test runs on any host; 72_livepatch_stock.sh
 * runs the same reads against each guest kernel's own BTF.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "klp_elf.h"

#define KO(name) TEST_KMOD_DIR "/" name ".ko"

struct member {
	const char *name;
	int type;
	__u32 byte_off;
};

static int add_struct(struct btf *btf, const char *name, __u32 size, const struct member *m)
{
	int id = btf__add_struct(btf, name, size);

	for (; id > 0 && m->name; m++)
		if (btf__add_field(btf, m->name, m->type, m->byte_off * 8, 0))
			return -1;
	return id;
}

/* The three structures as 6.1 and 6.12 lay them out; bad_replace: .replace an int. */
static struct btf *kernel_like_btf(bool bad_replace)
{
	struct btf *btf = btf__new_empty();
	int ulong, boolean, chr, cchar, str, vptr, sint;

	assert_non_null(btf);
	ulong = btf__add_int(btf, "long unsigned int", 8, 0);
	boolean = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	cchar = btf__add_const(btf, chr);
	str = btf__add_ptr(btf, cchar);
	vptr = btf__add_ptr(btf, 0);
	sint = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	{
		const struct member func[] = { { "old_name", str, 0 },
					       { "new_func", vptr, 8 },
					       { "old_sympos", ulong, 16 },
					       { "patched", boolean, 148 },
					       {} };
		const struct member object[] = {
			{ "name", str, 0 }, { "funcs", vptr, 8 }, { "mod", vptr, 152 }, {}
		};
		const struct member patch[] = { { "mod", vptr, 0 },
						{ "objs", vptr, 8 },
						{ "states", vptr, 16 },
						{ "replace", bad_replace ? sint : boolean, 24 },
						{} };

		assert_true(add_struct(btf, "klp_func", 152, func) > 0);
		assert_true(add_struct(btf, "klp_object", 168, object) > 0);
		assert_true(add_struct(btf, "klp_patch", 200, patch) > 0);
	}
	return btf;
}

static void kernel_layout(struct klp_layout *l)
{
	struct btf *btf = kernel_like_btf(false);

	assert_int_equal(klp_layout_from_btf(btf, l), 0);
	btf__free(btf);
}

static void test_layout_from_btf(void **state)
{
	struct klp_layout l;
	struct btf *btf;

	(void)state;
	kernel_layout(&l);
	assert_int_equal(l.func_size, 152);
	assert_int_equal(l.func_old_name, 0);
	assert_int_equal(l.func_new_func, 8);
	assert_int_equal(l.func_old_sympos, 16);
	assert_int_equal(l.object_size, 168);
	assert_int_equal(l.object_name, 0);
	assert_int_equal(l.object_funcs, 8);
	assert_int_equal(l.patch_size, 200);
	assert_int_equal(l.patch_mod, 0);
	assert_int_equal(l.patch_objs, 8);
	assert_int_equal(l.patch_replace, 24);

	btf = kernel_like_btf(true);
	assert_int_equal(klp_layout_from_btf(btf, &l), -EINVAL);
	btf__free(btf);
	/* A kernel without livepatch has none of the structures. */
	btf = btf__new_empty();
	assert_int_equal(klp_layout_from_btf(btf, &l), -ENOENT);
	btf__free(btf);
	assert_int_equal(klp_layout_from_btf(NULL, &l), -ENOENT);
}

/* read KO, expecting err; for 0, the list and .replace too. */
static void expect(const char *ko, int err, const char *patches, bool replace, const char *why_has)
{
	struct klp_elf_patch p;
	struct klp_layout l;
	char why[768] = "";

	if (!strncmp(ko, TEST_KMOD_DIR "/", strlen(TEST_KMOD_DIR "/")) && access(ko, R_OK)) {
		print_message("skip %s: not built (make kmod)\n", ko);
		return;
	}
	kernel_layout(&l);
	assert_int_equal(klp_elf_read(ko, &l, &p, why, sizeof(why)), err);
	if (why_has && !strstr(why, why_has))
		fail_msg("%s: '%s' lacks '%s'", ko, why, why_has);
	if (err)
		return;
	assert_string_equal(p.patches, patches);
	assert_int_equal(p.replace, replace);
}

static void test_stock_modules(void **state)
{
	(void)state;
	if (access(TEST_KMOD_DIR, F_OK))
		skip();
	expect(KO("bpflp_klp_stock"), 0, "vmlinux:cmdline_proc_show", true, NULL);
	expect(KO("bpflp_klp_sample"), 0, "vmlinux:cmdline_proc_show", false, NULL);
	expect(KO("bpflp_test_klp"), 0, "vmlinux:cmdline_proc_show", false, NULL);
	expect(KO("bpflp_klp_sympos"), 0, "vmlinux:cmdline_proc_show vmlinux:load_elf_binary,2",
	       true, NULL);
	expect(KO("bpflp_klp_9p"), 0, "9p:v9fs_show_options 9pnet:p9_client_statfs", true, NULL);
	/* Tagged modules have their klp_patch read all the same (.replace is checked). */
	expect(KO("bpflp_klp_v1"), 0, "vmlinux:version_proc_show", true, NULL);
	expect(KO("bpflp_klp_stall"), 0, "bpflp_klp_block:bpflp_klp_block_wait", true, NULL);
}

/* kpatch-build's shape: the functions from .kpatch.funcs; .replace, in code, is not read. */
static void test_kpatch_modules(void **state)
{
	struct klp_elf_patch p;
	struct klp_layout l;
	char why[768];

	(void)state;
	if (access(KO("bpflp_klp_kpatch"), R_OK) || access(KO("bpflp_klp_kpatch_nr"), R_OK))
		skip();
	kernel_layout(&l);
	for (int nr = 0; nr < 2; nr++) {
		const char *ko = nr ? KO("bpflp_klp_kpatch_nr") : KO("bpflp_klp_kpatch");

		assert_int_equal(klp_elf_read(ko, &l, &p, why, sizeof(why)), 0);
		assert_string_equal(p.patches, "vmlinux:cmdline_proc_show");
		assert_true(p.replace_unread);
	}
}

static void test_not_a_livepatch(void **state)
{
	(void)state;
	if (access(TEST_KMOD_DIR, F_OK))
		skip();
	expect(KO("bpflp_klp_plain"), -ENOENT, NULL, false,
	       "has no static klp_patch bpflp can read (.mod = THIS_MODULE, .objs set) nor kpatch-build's .kpatch.funcs");
	/* Its file_operations start with .owner = THIS_MODULE, like a klp_patch's .mod. */
	expect(KO("bpflp_companion"), -ENOENT, NULL, false, "has no static klp_patch");
	expect("/nonexistent.ko", -ENOENT, NULL, false,
	       "cannot read livepatch module /nonexistent.ko");
	expect("/proc/self/status", -ENOEXEC, NULL, false,
	       "is not a 64-bit relocatable kernel module");
}

/* ko read with layout l must not fit. */
static void misfit(const char *ko, const struct klp_layout *l)
{
	struct klp_elf_patch p;
	char why[768];

	assert_int_equal(klp_elf_read(ko, l, &p, why, sizeof(why)), -EINVAL);
	if (!strstr(why, "do not fit this kernel's struct klp_object and klp_func"))
		fail_msg("%s: %s", ko, why);
}

static void test_other_layout(void **state)
{
	struct klp_layout l;

	(void)state;
	if (access(KO("bpflp_klp_9p"), R_OK) || access(KO("bpflp_klp_sympos"), R_OK))
		skip();
	/* A kernel whose klp_object is 8 bytes shorter: the second object reads garbage. */
	kernel_layout(&l);
	l.object_size -= 8;
	misfit(KO("bpflp_klp_9p"), &l);
	/* ... whose klp_func is 8 bytes longer: the second function's name is code. */
	kernel_layout(&l);
	l.func_size += 8;
	misfit(KO("bpflp_klp_sympos"), &l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_from_btf), cmocka_unit_test(test_stock_modules),
		cmocka_unit_test(test_kpatch_modules),  cmocka_unit_test(test_not_a_livepatch),
		cmocka_unit_test(test_other_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
