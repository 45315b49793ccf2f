/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the loader and bpflp's companion kernel module
 * (kmod/companion_*.c), which lets a gated bpflp program replace a
 * function fmod_ret cannot reach. The module holds no patch logic: it puts
 * an ftrace handler (FTRACE_OPS_FL_IPMODIFY) on the function, runs the
 * patch's BPF programs from it with the function's arguments, and when one
 * of them leaves a verdict, makes the function return that value at once
 * (the technique of the kernel's fault injection, kernel/fail_function.c).
 *
 * Userspace talks to it through a misc device: one ioctl attaches a
 * program, one detaches it; read() lists the attachments, a line each.
 */
#ifndef BPFLP_COMPANION_H
#define BPFLP_COMPANION_H

#if defined(__KERNEL__)
#include <linux/ioctl.h>
#include <linux/types.h>
#elif !defined(__VMLINUX_H__) /* BPF programs only need the verdict */
#include <sys/ioctl.h>
#include <linux/types.h>
#endif

#define BPFLP_COMPANION_MODULE "bpflp_companion"
#define BPFLP_COMPANION_DEV    "/dev/bpflp_companion"
/* modinfo bpflp_abi: the loader refuses a module of another ABI. */
#define BPFLP_COMPANION_ABI 1

/*
 * Attach prog_fd, a BPF_TRACE_FENTRY program loaded against the target
 * function (its arguments typed from the target's BTF), and drop_fd, the
 * same patch's snapshot drop for that function (loaded as fentry too), run
 * after every replacing program of a call to pop the call's snapshot entry.
 * Programs of a function run newest attached first; the first verdict
 * wins, as with fmod_ret. Errors: EBADF/EINVAL (not such programs, or the
 * two target different functions), EEXIST (prog already attached), EBUSY
 * (another IPMODIFY user, such as a livepatch, holds the function), E2BIG
 * (BPFLP_COMPANION_MAX_ATTACH, or BPFLP_COMPANION_MAX_PER_TARGET on the
 * function, reached), or ftrace's own errors.
 */
struct bpflp_companion_attach {
	__u32 prog_fd;
	__u32 drop_fd;
};

/* Detach the program with this id (ENOENT: it is not attached). */
struct bpflp_companion_detach {
	__u32 prog_id;
};

#ifdef _IOW
#define BPFLP_COMPANION_IOC_ATTACH _IOW('B', 1, struct bpflp_companion_attach)
#define BPFLP_COMPANION_IOC_DETACH _IOW('B', 2, struct bpflp_companion_detach)
#endif

#define BPFLP_COMPANION_MAX_ATTACH     1024
#define BPFLP_COMPANION_MAX_PER_TARGET 64 /* one per slot (BPFLP_MAX_SLOTS) */
#define BPFLP_COMPANION_MAX_ARGS       6  /* register arguments on x86-64 */

/*
 * What a replacing program leaves for the module (a per-CPU array of one
 * entry in the patch object, bpflp_verdict): set != 0 means "return value".
 */
struct bpflp_verdict {
	__u64 set;
	__u64 value;
};

#endif /* BPFLP_COMPANION_H */
