// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_9p: a livepatch of functions of modules, not of vmlinux: the
 * 9p and 9pnet modules the test VM mounts its root with (two klp_objects
 * with a name each). No bpflp tag: bpflp reads the objects' names from
 * the klp_object array (72_livepatch_stock.sh checks it, never loads it:
 * the replacements do nothing).
 */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static int bpflp_klp_9p_stub(void)
{
	return 0;
}

static struct klp_func fs_funcs[] = { {
					      .old_name = "v9fs_show_options",
					      .new_func = bpflp_klp_9p_stub,
				      },
				      {} };

static struct klp_func net_funcs[] = { {
					       .old_name = "p9_client_statfs",
					       .new_func = bpflp_klp_9p_stub,
				       },
				       {} };

static struct klp_object objs[] = { {
					    .name = "9p",
					    .funcs = fs_funcs,
				    },
				    {
					    .name = "9pnet",
					    .funcs = net_funcs,
				    },
				    {} };

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init bpflp_klp_9p_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit bpflp_klp_9p_exit(void)
{
}

module_init(bpflp_klp_9p_init);
module_exit(bpflp_klp_9p_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test livepatch: functions of the 9p modules");
MODULE_INFO(livepatch, "Y");
