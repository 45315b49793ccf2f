// SPDX-License-Identifier: GPL-2.0
/*
 * One source, the builds of patch "fp" that program fingerprints must tell
 * apart (prog_fingerprint.h; test_prog_fingerprint, 34_core_unchanged.sh).
 * The Makefile builds fp-VARIANT.bpf.o with -DFP_VARIANT_<VARIANT>; each
 * variant changes one thing against fp-base (version 1, the others 2):
 *
 *   ver    the version only: every program unchanged but the private one
 *   body   A's body
 *   const  a read-only constant only B reads
 *   sub    a subprogram only C calls, through another one (a call within
 *          .text has no relocation)
 *   core   the field D's CO-RE record names (the same instructions)
 *   add    a new program F, first in the file (every offset moves)
 *   drop   E left out
 *   kcfgbool, kcfgchar
 *          D also reads a kconfig value, declared bool or unsigned char
 *          (libbpf stores 1 or 'y'): for the unit test only, since
 *          libbpf needs the kernel's config file to load them
 *   rodata a read-only variable no program names: every program that
 *          reads .rodata (all but E, through fp_target) may read it
 *   dataro B also reads a const in a section named .data.*, which libbpf
 *          makes writable whatever the ELF flags: unit test only
 *
 * B's and F's constants sit in sections of their own (.rodata.NAME, a map
 * each), so that changing one changes only the program that reads it.
 * E counts calls in a map of its own: it never counts as unchanged.
 * Every program acts only for a task whose tgid is fp_target_tgid (0: none).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpflp/patch.bpf.h>

#define EPERM  1
#define ENOENT 2
#define EACCES 13

#ifdef FP_VARIANT_BASE
BPFLP_PATCH("fp", 1);
#else
BPFLP_PATCH("fp", 2);
#endif

const volatile __u32 fp_target_tgid = 0;
#ifdef FP_VARIANT_RODATA
const volatile __u32 fp_unread = 1;
#else
const volatile __u32 fp_unread = 0;
#endif

static __always_inline bool fp_target(void)
{
	return fp_target_tgid && (bpf_get_current_pid_tgid() >> 32) == fp_target_tgid;
}

#ifdef FP_VARIANT_ADD
const volatile int fp_added_errno SEC(".rodata.fp_added") = EACCES;

BPFLP_FMOD_RET(security_inode_listxattr, struct dentry *dentry)
{
	return fp_target() ? -fp_added_errno : 0;
}
#endif

#ifdef FP_VARIANT_CONST
const volatile int fp_b_errno SEC(".rodata.fp_b") = EACCES;
#else
const volatile int fp_b_errno SEC(".rodata.fp_b") = EPERM;
#endif
#ifdef FP_VARIANT_DATARO
const int fp_dataro __attribute__((section(".data.fp_ro"))) = 1;
#endif

BPFLP_FMOD_RET(security_inode_getattr, const struct path *path)
{
#ifdef FP_VARIANT_BODY
	return fp_target() ? -ENOENT : 0;
#else
	return fp_target() ? -EPERM : 0;
#endif
}

BPFLP_FMOD_RET(security_file_ioctl, struct file *file, unsigned int cmd, unsigned long arg)
{
#ifdef FP_VARIANT_DATARO
	if (*(volatile const int *)&fp_dataro == 2)
		return -EPERM;
#endif
	return fp_target() ? -fp_b_errno : 0;
}

static __noinline int fp_errno_of(__u64 tgid)
{
#ifdef FP_VARIANT_SUB
	return tgid ? EACCES : 0;
#else
	return tgid ? EPERM : 0;
#endif
}

static __noinline int fp_readlink_errno(struct dentry *dentry)
{
	return dentry ? fp_errno_of(bpf_get_current_pid_tgid() >> 32) : 0;
}

BPFLP_FMOD_RET(security_inode_readlink, struct dentry *dentry)
{
	return fp_target() ? -fp_readlink_errno(dentry) : 0;
}

#ifdef FP_VARIANT_KCFGBOOL
extern bool CONFIG_BPF_SYSCALL __kconfig;
#elif defined(FP_VARIANT_KCFGCHAR)
extern unsigned char CONFIG_BPF_SYSCALL __kconfig;
#endif

BPFLP_FMOD_RET(security_inode_getxattr, struct dentry *dentry, const char *name)
{
	struct task_struct *task = (void *)bpf_get_current_task();

#if defined(FP_VARIANT_KCFGBOOL) || defined(FP_VARIANT_KCFGCHAR)
	if (fp_target() && CONFIG_BPF_SYSCALL)
		return -(int)CONFIG_BPF_SYSCALL;
#endif
#ifdef FP_VARIANT_CORE
	return fp_target() && bpf_core_field_exists(task->tgid) ? -EPERM : 0;
#else
	return fp_target() && bpf_core_field_exists(task->pid) ? -EPERM : 0;
#endif
}

#ifndef FP_VARIANT_DROP
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} fp_calls SEC(".maps");

BPFLP_FMOD_RET(security_inode_setattr, struct dentry *dentry, struct iattr *attr)
{
	__u32 zero = 0;
	__u64 *calls = bpf_map_lookup_elem(&fp_calls, &zero);

	if (calls)
		__sync_fetch_and_add(calls, 1);
	return 0;
}
#endif
