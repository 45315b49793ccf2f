/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a livepatch module patches, read from the .ko itself: its static
 * struct klp_patch, the klp_object and klp_func arrays behind it, and
 * .replace. Stock modules (samples/livepatch, vendor fixes) carry nothing
 * else that says so. The structures' layout is the running kernel's, read
 * from its BTF: the .ko has no BTF of its own to trust (a module's BTF is
 * split against vmlinux's, and vendor modules are stripped).
 */
#ifndef BPFLP_KLP_ELF_H
#define BPFLP_KLP_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct btf;

/* Offsets and sizes in bytes, as the running kernel lays the structures out. */
struct klp_layout {
	__u32 func_size; /* struct klp_func: the stride of a funcs[] array */
	__u32 func_old_name;
	__u32 func_new_func;
	__u32 func_old_sympos;
	__u32 object_size;
	__u32 object_name;
	__u32 object_funcs;
	__u32 patch_size;
	__u32 patch_mod;
	__u32 patch_objs;
	__u32 patch_replace;
};

/*
 * The layout of struct klp_func, klp_object and klp_patch in btf (the
 * kernel's). 0, or -ENOENT (no such struct or field: a kernel without
 * livepatch) or -EINVAL (a field of an unexpected type or size).
 */
int klp_layout_from_btf(const struct btf *btf, struct klp_layout *l);

struct klp_elf_patch {
	bool replace;
	bool replace_unread; /* kpatch-build's: .replace is in its code; replace says its default */
	int nr_funcs;
	char patches[512]; /* "OBJECT:FUNCTION[,SYMPOS] ...", as BPFLP_KLP_PATCHES writes them */
};

/*
 * Read the one static klp_patch of the module file at path, or a
 * kpatch-build module's .kpatch.funcs. 0 and p filled; or a negative
 * errno and why (one line naming the problem and the fix): -ENOENT when
 * the module has neither, -ENOTUNIQ when it has several,
 * -EINVAL when one does not fit the layout, -E2BIG when its functions do
 * not fit p->patches, or the errno of reading the file.
 */
int klp_elf_read(const char *path, const struct klp_layout *l, struct klp_elf_patch *p, char *why,
		 size_t size);

#endif /* BPFLP_KLP_ELF_H */
