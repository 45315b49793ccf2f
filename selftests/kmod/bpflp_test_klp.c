// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_test_klp: a minimal livepatch used by the platform tests, after
 * samples/livepatch/livepatch-sample.c. It replaces cmdline_proc_show() so
 * that /proc/cmdline reads BPFLP_TEST_KLP_TEXT while the patch is enabled.
 * Not a replace (cumulative) patch, so it stacks on whatever is loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

/* Tests compare /proc/cmdline against this exact line. */
#define BPFLP_TEST_KLP_TEXT "bpflp_test_klp: this has been live patched"

static int bpflp_test_klp_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", BPFLP_TEST_KLP_TEXT);
	return 0;
}

static struct klp_func funcs[] = { {
					   .old_name = "cmdline_proc_show",
					   .new_func = bpflp_test_klp_cmdline_proc_show,
				   },
				   {} };

static struct klp_object objs[] = { {
					    /* name NULL: vmlinux */
					    .funcs = funcs,
				    },
				    {} };

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init bpflp_test_klp_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit bpflp_test_klp_exit(void)
{
}

module_init(bpflp_test_klp_init);
module_exit(bpflp_test_klp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test livepatch: replaces /proc/cmdline output");
MODULE_INFO(livepatch, "Y");
