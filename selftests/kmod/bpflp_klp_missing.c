// SPDX-License-Identifier: GPL-2.0
/* bpflp_klp_missing: a livepatch of a function no kernel has (bad-input tests). */
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include "bpflp/klp.h"

static void bpflp_klp_missing_new(void)
{
}

static struct klp_func funcs[] = { {
					   .old_name = "bpflp_no_such_function",
					   .new_func = bpflp_klp_missing_new,
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

static int __init bpflp_klp_missing_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit bpflp_klp_missing_exit(void)
{
}

module_init(bpflp_klp_missing_init);
module_exit(bpflp_klp_missing_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test livepatch of a missing function");
MODULE_INFO(livepatch, "Y");
BPFLP_KLP_PATCHES("vmlinux:bpflp_no_such_function");
