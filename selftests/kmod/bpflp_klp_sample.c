// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_sample: the kernel's samples/livepatch/livepatch-sample.c as
 * it ships, renamed: /proc/cmdline reads "this has been live patched". No
 * bpflp tag, and no .replace: it stacks on the livepatches loaded before
 * it, which bpflp refuses (72_livepatch_stock.sh).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

#include <linux/seq_file.h>
static int livepatch_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "this has been live patched");
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
