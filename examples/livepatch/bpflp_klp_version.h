/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The example source-level fix, built twice (bpflp_klp_v1.c, bpflp_klp_v2.c)
 * with BPFLP_KLP_FIX set to the version. /proc/version prints
 * linux_proc_banner, which names the user and host the kernel was built on
 * in the middle of the line; the fix prints the line without them. The
 * function still runs and prints: a return-value override cannot express
 * that, it can only make version_proc_show() return early.
 *
 * A cumulative patch (.replace = true): loading v2 over v1 hands every
 * function over in one livepatch transition, and v1 can then be removed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#include "bpflp/klp.h"

#define __stringify_fix(x) #x
#define stringify_fix(x)   __stringify_fix(x)

/* Tests look for this at the end of /proc/version. */
#define BPFLP_KLP_MARK "[bpflp-klp v" stringify_fix(BPFLP_KLP_FIX) "]"

static int bpflp_klp_version_proc_show(struct seq_file *m, void *v)
{
	struct new_utsname *uts = utsname();

	seq_printf(m, "%s version %s %s %s\n", uts->sysname, uts->release, uts->version,
		   BPFLP_KLP_MARK);
	return 0;
}

static struct klp_func funcs[] = { {
					   .old_name = "version_proc_show",
					   .new_func = bpflp_klp_version_proc_show,
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
	.replace = true,
};

static int __init bpflp_klp_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit bpflp_klp_exit(void)
{
}

module_init(bpflp_klp_init);
module_exit(bpflp_klp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp example livepatch: /proc/version without the build host");
MODULE_INFO(livepatch, "Y");
BPFLP_KLP_PATCHES("vmlinux:version_proc_show");
