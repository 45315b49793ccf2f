// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_block: a kthread that sleeps inside bpflp_klp_block_wait()
 * until the module is removed. A livepatch of that function
 * (bpflp_klp_stall.c) can never finish its transition: the reliable stack
 * check always finds the old function on the kthread's stack, and a
 * kthread has no return to user space to switch at. Tests use it to make
 * bpflp's transition timeout fire.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static struct task_struct *sleeper;

/* Global for the livepatch to find by name; declared for -Wmissing-prototypes (6.12). */
int bpflp_klp_block_wait(void);

/* noinline: it must have its own frame (and fentry) for the livepatch to target. */
noinline int bpflp_klp_block_wait(void)
{
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static int bpflp_klp_block_thread(void *unused)
{
	return bpflp_klp_block_wait();
}

static int __init bpflp_klp_block_init(void)
{
	sleeper = kthread_run(bpflp_klp_block_thread, NULL, "bpflp_klp_block");
	return PTR_ERR_OR_ZERO(sleeper);
}

static void __exit bpflp_klp_block_exit(void)
{
	kthread_stop(sleeper);
}

module_init(bpflp_klp_block_init);
module_exit(bpflp_klp_block_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bpflp test module: a kthread that never leaves bpflp_klp_block_wait()");
