// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_sympos: a livepatch of a function two files of vmlinux define,
 * chosen with .old_sympos (load_elf_binary: fs/binfmt_elf.c's and
 * fs/compat_binfmt_elf.c's, in that order in kallsyms on both test
 * kernels), beside one of a unique function. No bpflp tag: bpflp reads
 * both from the klp_func array (72_livepatch_stock.sh checks it, never
 * loads it: the replacements do nothing).
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static int bpflp_klp_sympos_stub(void)
{
	return 0;
}

static struct klp_func funcs[] = { {
					   .old_name = "cmdline_proc_show",
					   .new_func = bpflp_klp_sympos_stub,
				   },
				   {
					   .old_name = "load_elf_binary",
					   .new_func = bpflp_klp_sympos_stub,
					   .old_sympos = 2,
				   },
				   {} };

static struct klp_object objs[] = { {
					    .funcs = funcs,
				    },
				    {} };

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init bpflp_klp_sympos_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit bpflp_klp_sympos_exit(void)
{
}

module_init(bpflp_klp_sympos_init);
module_exit(bpflp_klp_sympos_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test livepatch: a function chosen by old_sympos");
MODULE_INFO(livepatch, "Y");
