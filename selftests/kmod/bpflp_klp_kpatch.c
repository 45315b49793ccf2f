// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_kpatch: a livepatch module in the shape kpatch-build makes.
 * No static klp_patch: the module's init builds one from .kpatch.funcs,
 * an array of struct kpatch_patch_func as kpatch's create-diff-object
 * writes it, the way kpatch's livepatch-patch-hook.c does. .replace is
 * set in code, from KLP_REPLACE_ENABLE (kpatch-build --non-replace makes
 * it false: bpflp_klp_kpatch_nr.c). bpflp reads the functions from the
 * section (72_livepatch_stock.sh). /proc/cmdline reads BPFLP_KLP_KPATCH_TEXT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#ifndef KLP_REPLACE_ENABLE
#define KLP_REPLACE_ENABLE true
#endif

#define BPFLP_KLP_KPATCH_TEXT "bpflp_klp_kpatch: this has been live patched"

/* kpatch's layout (kmod/patch/kpatch-patch.h in kpatch): 7 fields of 8 bytes. */
struct kpatch_patch_func {
	unsigned long new_addr;
	unsigned long new_size;
	unsigned long old_addr;
	unsigned long old_size;
	unsigned long sympos;
	char *name;
	char *objname;
};

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", BPFLP_KLP_KPATCH_TEXT);
	return 0;
}

static struct kpatch_patch_func kpatch_funcs[] __section(".kpatch.funcs") __used = {
	{
		.new_addr = (unsigned long)livepatch_cmdline_proc_show,
		.name = "cmdline_proc_show",
		.objname = "vmlinux",
	},
};

static struct klp_patch *lpatch;

/* One klp_object (vmlinux) holding every entry: this module patches vmlinux only. */
static int kpatch_build_patch(void)
{
	struct klp_object *objs;
	struct klp_func *funcs;
	int i;

	lpatch = kzalloc(sizeof(*lpatch), GFP_KERNEL);
	objs = kcalloc(2, sizeof(*objs), GFP_KERNEL);
	funcs = kcalloc(ARRAY_SIZE(kpatch_funcs) + 1, sizeof(*funcs), GFP_KERNEL);
	if (!lpatch || !objs || !funcs) {
		kfree(lpatch);
		kfree(objs);
		kfree(funcs);
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(kpatch_funcs); i++) {
		funcs[i].old_name = kpatch_funcs[i].name;
		funcs[i].new_func = (void *)kpatch_funcs[i].new_addr;
		funcs[i].old_sympos = kpatch_funcs[i].sympos;
	}
	objs[0].funcs = funcs;
	lpatch->mod = THIS_MODULE;
	lpatch->objs = objs;
	lpatch->replace = KLP_REPLACE_ENABLE;
	return 0;
}

static void kpatch_free_patch(void)
{
	kfree(lpatch->objs[0].funcs);
	kfree(lpatch->objs);
	kfree(lpatch);
}

static int __init patch_init(void)
{
	int ret = kpatch_build_patch();

	if (ret)
		return ret;
	ret = klp_enable_patch(lpatch);
	if (ret)
		kpatch_free_patch();
	return ret;
}

static void __exit patch_exit(void)
{
	kpatch_free_patch();
}

module_init(patch_init);
module_exit(patch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
