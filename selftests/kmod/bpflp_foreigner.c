// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_foreigner: a test module that is not bpflp's companion but claims
 * to be (selftests/tests/companion/74_companion_identity.sh). Its modinfo says
 * bpflp's version and companion ABI; with device=1 it also registers a
 * misc device named bpflp_companion, which answers no ioctl.
 *
 * kbuild names a module after its object file, so a second module named
 * bpflp_companion cannot be built beside the real one. Its name has the
 * same length, 15 bytes: the test copies the .ko with every
 * "bpflp_foreigner" rewritten to "bpflp_companion" in place (the module
 * name in .gnu.linkonce.this_module and in modinfo), and loads the copy.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

static bool device;
module_param(device, bool, 0444);
MODULE_PARM_DESC(device, "register a /dev/bpflp_companion that answers no ioctl");

static long foreign_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations foreign_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = foreign_ioctl,
};

static struct miscdevice foreign_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "bpflp_companion",
	.fops = &foreign_fops,
	.mode = 0600,
};

static int __init foreign_init(void)
{
	return device ? misc_register(&foreign_device) : 0;
}

static void __exit foreign_exit(void)
{
	if (device)
		misc_deregister(&foreign_device);
}

module_init(foreign_init);
module_exit(foreign_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp selftest: a module that claims to be bpflp's companion and is not");
MODULE_VERSION(BPFLP_VERSION_STR);
MODULE_INFO(bpflp_abi, "1");
