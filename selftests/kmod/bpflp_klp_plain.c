// SPDX-License-Identifier: GPL-2.0
/* bpflp_klp_plain: a module that is not a livepatch (bad-input tests). */
#include <linux/module.h>

static int __init bpflp_klp_plain_init(void)
{
	return 0;
}

static void __exit bpflp_klp_plain_exit(void)
{
}

module_init(bpflp_klp_plain_init);
module_exit(bpflp_klp_plain_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test module that is not a livepatch");
