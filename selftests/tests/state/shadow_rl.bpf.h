/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shadow tests' patches (selftests/tests/state/67_shadow_core.sh,
 * 77_shadow_faults.sh, 78_shadow_zero_gap.sh): a rate limit per task on
 * opening files named "bpflp-t-s*". Each task's count lives in
 * the shadow "rl", keyed by its task_struct; a patch version denies the
 * opens past its limit with its own errno, so an outcome says which patch
 * served the call and how far the count had got:
 *
 *   t-sh@1  limit 3  EPERM    struct sh_rl {__u64 opens;}
 *   t-sh@2  limit 5  EACCES   the same layout: inherits the counts
 *   t-sh@3  limit in the entry (8)  EROFS   struct sh_rl3: migrates them
 */
#ifndef BPFLP_T_SHADOW_RL_BPF_H
#define BPFLP_T_SHADOW_RL_BPF_H

#include "core.bpf.h"

#define SH_RL_ID 1 /* the shadow id of the rate-limit count */

struct sh_rl {
	__u64 opens;
};

/* One fixed-limit version over struct sh_rl. */
#define SH_RATE_LIMIT(limit, err)                                                                  \
	BPFLP_SHADOW(rl, struct sh_rl, 1024);                                                      \
                                                                                                   \
	BPFLP_FMOD_RET(security_file_open, struct file *file)                                      \
	{                                                                                          \
		struct task_struct *task = (void *)bpf_get_current_task();                         \
		struct sh_rl *rl;                                                                  \
                                                                                                   \
		if (t_dentry_tag(BPF_CORE_READ(file, f_path.dentry)) != 's')                       \
			return 0;                                                                  \
		rl = bpflp_shadow_get_or_alloc(rl, task, SH_RL_ID, bpflp_shadow_no_ctor, NULL);    \
		if (!rl)                                                                           \
			return 0;                                                                  \
		return __sync_add_and_fetch(&rl->opens, 1) > (limit) ? -(err) : 0;                 \
	}

#endif /* BPFLP_T_SHADOW_RL_BPF_H */
