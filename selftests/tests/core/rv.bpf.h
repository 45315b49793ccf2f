/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building blocks of the return-value test (selftests/tests/core/75_return_values.sh).
 * Each replacement acts only on its own files ("bpflp-r-<tag>*") or on prctl
 * options no kernel knows, so the VM keeps working while a patch is active:
 *
 *   vfs_truncate         truncate() of a directory fails with EISDIR
 *   security_task_prctl  an unknown prctl option: no LSM takes it (-ENOSYS),
 *                        so prctl() fails with EINVAL
 *   touch_atime          void: reading a file whose atime is old updates it
 *
 * RV_ANY_*: BPFLP_REPLACE_ANY, making the first two return 0 (success) and
 * skipping the third; RV_CONV_*: BPFLP_REPLACE's convention, where 0 runs
 * the original.
 */
#ifndef BPFLP_T_RV_BPF_H
#define BPFLP_T_RV_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpflp/patch.bpf.h>
#include "tag.bpf.h"

#define EPERM  1
#define EDQUOT 122

/* prctl options no kernel has (75_return_values.sh beside it uses the same numbers). */
#define RV_PRCTL_ZERO 0x52560001 /* BPFLP_REPLACE_ANY makes it succeed */
#define RV_PRCTL_DENY 0x52560002 /* BPFLP_REPLACE makes it fail with EPERM */

static __always_inline char rv_tag(struct dentry *dentry)
{
	return dentry_tag(dentry, "bpflp-r-");
}

#define RV_ANY_TRUNCATE                                                                            \
	BPFLP_REPLACE_ANY(vfs_truncate, const struct path *path, loff_t length)                    \
	{                                                                                          \
		if (rv_tag(BPF_CORE_READ(path, dentry)) != 'z')                                    \
			return bpflp_run_original();                                               \
		return bpflp_skip(0);                                                              \
	}

#define RV_ANY_PRCTL                                                                               \
	BPFLP_REPLACE_ANY(security_task_prctl, int option)                                         \
	{                                                                                          \
		return option == RV_PRCTL_ZERO ? bpflp_skip(0) : bpflp_run_original();             \
	}

#define RV_ANY_ATIME                                                                               \
	BPFLP_REPLACE_ANY(touch_atime, const struct path *path)                                    \
	{                                                                                          \
		if (rv_tag(BPF_CORE_READ(path, dentry)) != 'a')                                    \
			return bpflp_run_original();                                               \
		return bpflp_skip(0); /* void: the body is skipped, the value ignored */           \
	}

/* 0 runs the original (EISDIR stays); EDQUOT replaces it. */
#define RV_CONV_TRUNCATE                                                                           \
	BPFLP_REPLACE(vfs_truncate, const struct path *path, loff_t length)                        \
	{                                                                                          \
		return rv_tag(BPF_CORE_READ(path, dentry)) == 'q' ? -EDQUOT : 0;                   \
	}

/* fmod_ret here: 0 on RV_PRCTL_ZERO runs the original (EINVAL). */
#define RV_CONV_PRCTL                                                                              \
	BPFLP_REPLACE(security_task_prctl, int option)                                             \
	{                                                                                          \
		return option == RV_PRCTL_DENY ? -EPERM : 0;                                       \
	}

/* A void function: any non-zero value skips its body. */
#define RV_CONV_ATIME                                                                              \
	BPFLP_REPLACE(touch_atime, const struct path *path)                                        \
	{                                                                                          \
		return rv_tag(BPF_CORE_READ(path, dentry)) == 'a';                                 \
	}

#endif /* BPFLP_T_RV_BPF_H */
