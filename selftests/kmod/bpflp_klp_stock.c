// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_stock: bpflp_klp_sample.c (the kernel's livepatch sample) with
 * the one line a cumulative livepatch adds, .replace = true, and nothing of
 * bpflp's: no BPFLP_KLP_PATCHES tag. bpflp reads what it patches from its
 * klp_patch (72_livepatch_stock.sh). /proc/cmdline reads BPFLP_KLP_STOCK_TEXT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

#define BPFLP_KLP_STOCK_TEXT "bpflp_klp_stock: this has been live patched"

static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", BPFLP_KLP_STOCK_TEXT);
	return 0;
}

static struct klp_func funcs[] = { {
					   .old_name = "cmdline_proc_show",
					   .new_func = livepatch_cmdline_proc_show,
				   },
				   {} };

static struct klp_object objs[] = { {
					    /* name being NULL means vmlinux */
					    .funcs = funcs,
				    },
				    {} };

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int livepatch_init(void)
{
	return klp_enable_patch(&patch);
}

static void livepatch_exit(void)
{
}

module_init(livepatch_init);
module_exit(livepatch_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
