/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sh-obs@1 and sh-obs@2 (78_shadow_zero_gap.sh): observers that count each
 * task's opens of bpflp-gap* in the shadow "calls", which every version
 * takes over. Replaced by each other under gap_hammer, the counts must add
 * up to the calls the hammers made: none lost, none reset, none twice.
 */
#ifndef BPFLP_T_SH_OBS_BPF_H
#define BPFLP_T_SH_OBS_BPF_H

#include "reliability/gap.bpf.h"

struct sh_calls {
	__u64 calls;
};

#define SH_OBSERVE_OPEN(version)                                                                   \
	BPFLP_PATCH("sh-obs", version);                                                            \
	BPFLP_SHADOW(calls, struct sh_calls, 256);                                                 \
                                                                                                   \
	BPFLP_FENTRY(security_file_open, struct file *file)                                        \
	{                                                                                          \
		struct sh_calls *c;                                                                \
                                                                                                   \
		if (!gap_target(BPF_CORE_READ(file, f_path.dentry), "bpflp-gap"))                  \
			return 0;                                                                  \
		c = bpflp_shadow_get_or_alloc(calls, bpf_get_current_task(), 1,                    \
					      bpflp_shadow_no_ctor, NULL);                         \
		if (c)                                                                             \
			__sync_fetch_and_add(&c->calls, 1);                                        \
		return 0;                                                                          \
	}

#endif /* BPFLP_T_SH_OBS_BPF_H */
