// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_stall: a cumulative livepatch of bpflp_klp_block_wait() in the
 * module bpflp_klp_block, whose kthread never leaves that function: the
 * transition stays at 1 until it is reversed (or forced).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include "bpflp/klp.h"

static int bpflp_klp_stall_block_wait(void)
{
	return 0;
}

static struct klp_func funcs[] = { {
					   .old_name = "bpflp_klp_block_wait",
					   .new_func = bpflp_klp_stall_block_wait,
				   },
				   {} };

static struct klp_object objs[] = { {
					    .name = "bpflp_klp_block",
					    .funcs = funcs,
				    },
				    {} };

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init bpflp_klp_stall_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit bpflp_klp_stall_exit(void)
{
}

module_init(bpflp_klp_stall_init);
module_exit(bpflp_klp_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test livepatch whose transition cannot finish");
MODULE_INFO(livepatch, "Y");
BPFLP_KLP_PATCHES("bpflp_klp_block:bpflp_klp_block_wait");
