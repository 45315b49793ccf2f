// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_companion: makes any traceable kernel function replaceable by a
 * gated bpflp program (see include/bpflp/companion.h). This file is the
 * module and its misc device: ioctls attach and detach programs, reading
 * the device lists the attachments, a line each:
 *
 *	PROG_ID DROP_ID FUNCTION CALLS OVERRIDES MISSES
 *
 * An identity ioctl tells the loader this module is bpflp's (companion_ident.h).
 * The module only loads and runs what bpflp gives it; it holds a reference
 * on itself per attachment, so it cannot be unloaded while it patches.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "companion.h"

static u64 percpu_sum(u64 __percpu *counter)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counter, cpu);
	return sum;
}

static int companion_show(struct seq_file *m, void *v)
{
	struct companion_attachment *a;
	struct companion_target *t;

	mutex_lock(&companion_mutex);
	list_for_each_entry(t, &companion_targets, node)
		list_for_each_entry(a, &t->attachments, node)
			seq_printf(m, "%u %u %ps %llu %llu %llu\n", a->prog->aux->id,
				   a->drop->aux->id, (void *)t->addr, percpu_sum(a->calls),
				   percpu_sum(a->overrides), percpu_sum(t->misses));
	mutex_unlock(&companion_mutex);
	return 0;
}

static int companion_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice there; seq_file wants it empty. */
	file->private_data = NULL;
	return single_open(file, companion_show, NULL);
}

static long ioctl_attach(void __user *uarg)
{
	struct bpflp_companion_attach arg;
	struct bpf_prog *prog, *drop;
	int err;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	prog = bpf_prog_get_type_dev(arg.prog_fd, BPF_PROG_TYPE_TRACING, false);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	drop = bpf_prog_get_type_dev(arg.drop_fd, BPF_PROG_TYPE_TRACING, false);
	if (IS_ERR(drop)) {
		bpf_prog_put(prog);
		return PTR_ERR(drop);
	}
	err = companion_attach(prog, drop); /* keeps both references on success */
	if (err) {
		bpf_prog_put(drop);
		bpf_prog_put(prog);
	}
	return err;
}

/* What the loader checks before it uses or unloads a module of this name. */
static long ioctl_ident(void __user *uarg)
{
	struct bpflp_companion_ident ident = {
		.magic = BPFLP_COMPANION_MAGIC,
		.abi = BPFLP_COMPANION_ABI,
	};

	strscpy(ident.version, BPFLP_VERSION_STR, sizeof(ident.version));
	return copy_to_user(uarg, &ident, sizeof(ident)) ? -EFAULT : 0;
}

static long companion_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct bpflp_companion_detach detach;

	if (cmd == BPFLP_COMPANION_IOC_IDENT)
		return ioctl_ident((void __user *)arg);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	switch (cmd) {
	case BPFLP_COMPANION_IOC_ATTACH:
		return ioctl_attach((void __user *)arg);
	case BPFLP_COMPANION_IOC_DETACH:
		if (copy_from_user(&detach, (void __user *)arg, sizeof(detach)))
			return -EFAULT;
		return companion_detach(detach.prog_id);
	}
	return -ENOTTY;
}

static const struct file_operations companion_fops = {
	.owner = THIS_MODULE,
	.open = companion_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.unlocked_ioctl = companion_ioctl,
};

static struct miscdevice companion_device = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = BPFLP_COMPANION_MODULE,
	.fops = &companion_fops,
	.mode = 0600,
};

static int __init companion_init(void)
{
	return misc_register(&companion_device);
}

/* Only reached with no attachment left: each holds a module reference. */
static void __exit companion_exit(void)
{
	misc_deregister(&companion_device);
}

module_init(companion_init);
module_exit(companion_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp companion: lets gated bpflp BPF programs replace any traceable function");
MODULE_VERSION(BPFLP_VERSION_STR);
MODULE_INFO(bpflp_abi, __stringify(BPFLP_COMPANION_ABI));
