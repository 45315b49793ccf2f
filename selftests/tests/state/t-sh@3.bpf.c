// SPDX-License-Identifier: GPL-2.0
/*
 * t-sh@3: "rl" gets a new layout, the limit kept in each entry; the
 * migration carries every count over and sets the limit to 8 (EROFS).
 */
#include "shadow_rl.bpf.h"

struct sh_rl3 {
	__u32 opens;
	__u32 limit;
};

BPFLP_PATCH("t-sh", 3);
BPFLP_SHADOW(rl, struct sh_rl3, 1024);

BPFLP_SHADOW_MIGRATE(rl, struct sh_rl, old, new)
{
	new->opens = old->opens;
	new->limit = 8;
	return 0;
}

static __always_inline int sh_rl3_ctor(void *obj, struct sh_rl3 *rl, void *data)
{
	rl->limit = 8;
	return 0;
}

BPFLP_FMOD_RET(security_file_open, struct file *file)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct sh_rl3 *rl;

	if (t_dentry_tag(BPF_CORE_READ(file, f_path.dentry)) != 's')
		return 0;
	rl = bpflp_shadow_get_or_alloc(rl, task, SH_RL_ID, sh_rl3_ctor, NULL);
	if (!rl)
		return 0;
	return __sync_add_and_fetch(&rl->opens, 1) > rl->limit ? -EROFS : 0;
}
