// SPDX-License-Identifier: GPL-2.0
/*
 * Program fingerprints on the builds of patch "fp" (selftests/tests/core/
 * fp.bpf.c, built by make all): each variant changes one thing, and
 * exactly the programs it touches must differ from fp-base, with bpflp's
 * own rule for shared maps (patch_shares).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>
#include "btf_digest.h"
#include "patch_fingerprint.h"
#include "prog_fingerprint.h"

#define FP_DIR TEST_BUILD_DIR "/selftests/tests/core/"

enum {
	P_GETATTR,
	P_IOCTL,
	P_READLINK,
	P_GETXATTR,
	P_SETATTR,
	P_LISTXATTR,
	NR_PROGS
};
static const char *const prog_names[NR_PROGS] = {
	"security_inode_getattr__ret",  "security_file_ioctl__ret",
	"security_inode_readlink__ret", "security_inode_getxattr__ret",
	"security_inode_setattr__ret",  "security_inode_listxattr__ret",
};

struct build {
	struct prog_fingerprint fps[NR_PROGS];
	bool has[NR_PROGS];
};

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (make all builds it)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = (size_t)n;
	return buf;
}

static void fingerprint_build(const char *variant, struct build *b)
{
	char path[256], why[256];
	struct bpf_program *prog;
	struct bpf_object *obj;
	struct fp_object *fo;
	size_t size;
	void *image;

	snprintf(path, sizeof(path), FP_DIR "fp-%s.bpf.o", variant);
	image = read_file(path, &size);
	obj = bpf_object__open_mem(image, size, NULL);
	assert_non_null(obj);
	fo = fp_object_open(image, size, obj, patch_shares, why, sizeof(why));
	if (!fo)
		fail_msg("%s: %s", path, why);
	memset(b, 0, sizeof(*b));
	bpf_object__for_each_program(prog, obj) {
		int p = 0;

		while (p < NR_PROGS && strcmp(prog_names[p], bpf_program__name(prog)))
			p++;
		assert_true(p < NR_PROGS);
		assert_int_equal(fp_program(fo, prog, &b->fps[p], why, sizeof(why)), 0);
		b->has[p] = true;
	}
	fp_object_free(fo);
	bpf_object__close(obj);
	free(image);
}

/* Against fp-base: the programs of mask differ, every other one is the same. */
static void expect_changed(const char *variant, unsigned int mask)
{
	struct build base, b;

	fingerprint_build("base", &base);
	fingerprint_build(variant, &b);
	for (int p = 0; p < NR_PROGS; p++) {
		if (!base.has[p] || !b.has[p])
			continue;
		/* E keeps state of its own: never the same, even as itself. */
		if (p == P_SETATTR) {
			assert_false(prog_fingerprint_same(&base.fps[p], &b.fps[p]));
			continue;
		}
		if (prog_fingerprint_same(&base.fps[p], &b.fps[p]) == !!(mask & (1U << p)))
			fail_msg("fp-%s: %s should be %s", variant, prog_names[p],
				 mask & (1U << p) ? "changed" : "unchanged");
	}
}

static void test_version_only(void **state)
{
	(void)state;
	expect_changed("ver", 0);
}

static void test_one_body(void **state)
{
	(void)state;
	expect_changed("body", 1U << P_GETATTR);
}

static void test_read_only_constant(void **state)
{
	(void)state;
	expect_changed("const", 1U << P_IOCTL);
}

static void test_subprogram(void **state)
{
	(void)state;
	expect_changed("sub", 1U << P_READLINK);
}

/* Same instructions, another field in the CO-RE record. */
static void test_core_record(void **state)
{
	(void)state;
	expect_changed("core", 1U << P_GETXATTR);
}

/* A program and a variable added first: every offset in the file moves, nothing else. */
static void test_added_program_moves_nothing(void **state)
{
	struct build b;

	(void)state;
	expect_changed("add", 0);
	fingerprint_build("add", &b);
	assert_true(b.has[P_LISTXATTR]);
}

static void test_dropped_program(void **state)
{
	struct build b;

	(void)state;
	expect_changed("drop", 0);
	fingerprint_build("drop", &b);
	assert_false(b.has[P_SETATTR]);
}

/* An extern by how it is declared, not only its name: libbpf stores a kconfig y as 1 or 'y'. */
static void test_extern_type(void **state)
{
	struct build a, b;

	(void)state;
	fingerprint_build("kcfgbool", &a);
	fingerprint_build("kcfgchar", &b);
	for (int p = 0; p < P_SETATTR; p++)
		assert_int_equal(prog_fingerprint_same(&a.fps[p], &b.fps[p]), p != P_GETXATTR);
}

static void test_private_state_flag(void **state)
{
	struct build b;

	(void)state;
	fingerprint_build("base", &b);
	assert_true(b.fps[P_SETATTR].flags & PROG_FP_PRIVATE_STATE);
	for (int p = 0; p < P_SETATTR; p++)
		assert_int_equal(b.fps[p].flags, 0);
	assert_false(prog_fingerprint_same(&b.fps[P_SETATTR], &b.fps[P_SETATTR]));
	assert_true(prog_fingerprint_same(&b.fps[P_IOCTL], &b.fps[P_IOCTL]));
}

/* Bytes that are not an ELF file: refused with a reason, not read. */
static void test_malformed(void **state)
{
	char junk[64] = "not an ELF file", why[256] = "";
	size_t size;
	void *image = read_file(FP_DIR "fp-base.bpf.o", &size);
	struct bpf_object *obj = bpf_object__open_mem(image, size, NULL);

	(void)state;
	assert_non_null(obj);
	assert_null(fp_object_open(junk, sizeof(junk), obj, patch_shares, why, sizeof(why)));
	assert_true(errno > 0);
	assert_true(why[0] != '\0');
	bpf_object__close(obj);
	free(image);
}

/* Type id's digest in btf, as a fingerprint takes it: 0 or btf_digests_hash's error. */
static int digest_type(const struct btf *btf, __u32 id, __u8 out[SHA256_DIGEST_SIZE])
{
	struct btf_digests *d = btf_digests_new(btf);
	struct sha256_ctx h;
	int err;

	assert_non_null(d);
	assert_int_equal(sha256_init(&h), 0);
	err = btf_digests_hash(d, id, &h);
	assert_int_equal(sha256_final(&h, out), 0);
	btf_digests_free(d);
	return err;
}

/*
 * struct outer { struct inner in; } with struct inner { int a; int b; }, or
 * with inner's second field renamed: a change two levels down.
 */
static void digest_nested(const char *second_field, __u8 out[SHA256_DIGEST_SIZE])
{
	struct btf *btf = btf__new_empty();
	int i32, inner, outer;

	assert_non_null(btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	inner = btf__add_struct(btf, "inner", 8);
	assert_int_equal(btf__add_field(btf, "a", i32, 0, 0), 0);
	assert_int_equal(btf__add_field(btf, second_field, i32, 32, 0), 0);
	outer = btf__add_struct(btf, "outer", 8);
	assert_int_equal(btf__add_field(btf, "in", inner, 0, 0), 0);
	assert_int_equal(digest_type(btf, outer, out), 0);
	btf__free(btf);
}

/* A map's or CO-RE record's type counts to the bottom, not one level. */
static void test_type_digest_is_deep(void **state)
{
	__u8 a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE], c[SHA256_DIGEST_SIZE];

	(void)state;
	digest_nested("b", a);
	digest_nested("b", b);
	digest_nested("c", c);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
}

/* struct holder { struct { int FIELD; } *p; }: an unnamed target is followed through the pointer. */
static void digest_pointer_to_unnamed(const char *field, __u8 out[SHA256_DIGEST_SIZE])
{
	struct btf *btf = btf__new_empty();
	int i32, anon, ptr, holder;

	assert_non_null(btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	anon = btf__add_struct(btf, NULL, 4);
	assert_int_equal(btf__add_field(btf, field, i32, 0, 0), 0);
	ptr = btf__add_ptr(btf, anon);
	holder = btf__add_struct(btf, "holder", 8);
	assert_int_equal(btf__add_field(btf, "p", ptr, 0, 0), 0);
	assert_int_equal(digest_type(btf, holder, out), 0);
	btf__free(btf);
}

static void test_type_digest_follows_unnamed_pointer(void **state)
{
	__u8 a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];

	(void)state;
	digest_pointer_to_unnamed("a", a);
	digest_pointer_to_unnamed("b", b);
	assert_memory_not_equal(a, b, sizeof(a));
}

/*
 * Unions nested depth deep, each of width members of the next one's type,
 * the innermost holding an int named leaf: width^depth paths, one digest
 * per type.
 */
static int digest_wide(int depth, int width, const char *leaf, __u8 out[SHA256_DIGEST_SIZE])
{
	struct btf *btf = btf__new_empty();
	int inner, err;

	assert_non_null(btf);
	inner = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	for (int level = 0; level < depth; level++) {
		char name[32];
		int u = btf__add_union(btf, NULL, 4);

		for (int m = 0; m < width; m++) {
			snprintf(name, sizeof(name), "%s%d", level ? "m" : leaf, m);
			assert_int_equal(btf__add_field(btf, name, inner, 0, 0), 0);
		}
		inner = u;
	}
	err = digest_type(btf, inner, out);
	btf__free(btf);
	return err;
}

/* 8^16 paths took forever when every path was walked; a leaf's name still counts. */
static void test_type_digest_wide_and_deep(void **state)
{
	__u8 a[SHA256_DIGEST_SIZE], b[SHA256_DIGEST_SIZE];

	(void)state;
	assert_int_equal(digest_wide(16, 8, "pid", a), 0);
	assert_int_equal(digest_wide(16, 8, "tgid", b), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* Deeper than any C type, or a type inside itself: refused, never cut short. */
static void test_type_digest_refuses_depth_and_loops(void **state)
{
	__u8 d[SHA256_DIGEST_SIZE];
	struct btf *btf;
	int self;

	(void)state;
	assert_int_equal(digest_wide(BTF_DIGEST_DEPTH + 1, 1, "leaf", d), -ELOOP);
	btf = btf__new_empty();
	assert_non_null(btf);
	self = btf__add_typedef(btf, "loop", 1); /* its own id: 1 */
	assert_int_equal(self, 1);
	assert_int_equal(digest_type(btf, self, d), -ELOOP);
	btf__free(btf);
}

/* struct n { int v; const struct n *next; }: a list through a const pointer is no loop. */
static void test_type_digest_const_pointer_to_itself(void **state)
{
	__u8 d[SHA256_DIGEST_SIZE];
	struct btf *btf = btf__new_empty();
	int i32, n, cn, ptr;

	(void)state;
	assert_non_null(btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	n = btf__add_struct(btf, "n", 16);
	assert_int_equal(btf__add_field(btf, "v", i32, 0, 0), 0);
	cn = n + 1; /* the const below, added after n's fields */
	ptr = cn + 1;
	assert_int_equal(btf__add_field(btf, "next", ptr, 64, 0), 0);
	assert_int_equal(btf__add_const(btf, n), cn);
	assert_int_equal(btf__add_ptr(btf, cn), ptr);
	assert_int_equal(digest_type(btf, n, d), 0);
	btf__free(btf);
}

/*
 * A read-only variable no program names: any program reading its section
 * can read it (a map is all or nothing to the verifier), so all of those
 * count as changed; E keeps its own state anyway.
 */
static void test_unnamed_read_only_data(void **state)
{
	(void)state;
	expect_changed("rodata",
		       1U << P_GETATTR | 1U << P_IOCTL | 1U << P_READLINK | 1U << P_GETXATTR);
}

/* libbpf makes a section named .data.* a writable map even when the ELF says read-only. */
static void test_data_section_by_name(void **state)
{
	struct build b;

	(void)state;
	fingerprint_build("dataro", &b);
	assert_true(b.fps[P_IOCTL].flags & PROG_FP_PRIVATE_STATE);
	assert_false(b.fps[P_GETATTR].flags & PROG_FP_PRIVATE_STATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_only),
		cmocka_unit_test(test_one_body),
		cmocka_unit_test(test_read_only_constant),
		cmocka_unit_test(test_subprogram),
		cmocka_unit_test(test_core_record),
		cmocka_unit_test(test_added_program_moves_nothing),
		cmocka_unit_test(test_dropped_program),
		cmocka_unit_test(test_extern_type),
		cmocka_unit_test(test_private_state_flag),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_type_digest_is_deep),
		cmocka_unit_test(test_type_digest_follows_unnamed_pointer),
		cmocka_unit_test(test_type_digest_wide_and_deep),
		cmocka_unit_test(test_type_digest_refuses_depth_and_loops),
		cmocka_unit_test(test_type_digest_const_pointer_to_itself),
		cmocka_unit_test(test_unnamed_read_only_data),
		cmocka_unit_test(test_data_section_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
