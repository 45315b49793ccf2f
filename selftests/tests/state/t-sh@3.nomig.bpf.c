// SPDX-License-Identifier: GPL-2.0
/* t-sh@3 without its migration: "rl" changes layout, so bpflp must refuse it. */
#include "shadow_rl.bpf.h"

struct sh_rl3 {
	__u32 opens;
	__u32 limit;
};

BPFLP_PATCH("t-sh", 3);
BPFLP_SHADOW(rl, struct sh_rl3, 1024);

BPFLP_FMOD_RET(security_file_open, struct file *file)
{
	struct sh_rl3 *rl = bpflp_shadow_get(rl, bpf_get_current_task(), SH_RL_ID);

	return rl && rl->opens > rl->limit ? -EROFS : 0;
}
