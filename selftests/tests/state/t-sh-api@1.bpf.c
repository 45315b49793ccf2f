// SPDX-License-Identifier: GPL-2.0
/*
 * t-sh-api@1: every shadow helper once, with a constructor and a
 * destructor, so the verifier sees them all (67_shadow_core.sh checks it).
 * A mkdir of bpflp-t-c* allocates the task's shadow (EEXIST if it already
 * has one); an unlink of bpflp-t-b* frees it; the pre_unpatch callback
 * frees every task's.
 */
#include "core.bpf.h"

#define EEXIST 17

struct sh_api {
	__u64 made;
	__u32 ctor_ran;
	__u32 pad;
};

static __always_inline int sh_api_ctor(void *obj, struct sh_api *s, void *data)
{
	s->ctor_ran = 1;
	s->made = *(__u64 *)data;
	return 0;
}

static __always_inline void sh_api_dtor(void *obj, struct sh_api *s)
{
	s->made = 0;
}

BPFLP_PATCH("t-sh-api", 1);
BPFLP_SHADOW_DTOR(api, struct sh_api, 64, sh_api_dtor);

BPFLP_FMOD_RET(security_inode_mkdir, struct inode *dir, struct dentry *dentry, umode_t mode)
{
	void *task = (void *)bpf_get_current_task();
	__u64 now = bpf_ktime_get_ns();

	if (t_dentry_tag(dentry) != 'c')
		return 0;
	return bpflp_shadow_alloc(api, task, 7, sh_api_ctor, &now) ? 0 : -EEXIST;
}

BPFLP_FMOD_RET(security_inode_unlink, struct inode *dir, struct dentry *dentry)
{
	void *task = (void *)bpf_get_current_task();

	if (t_dentry_tag(dentry) == 'b')
		bpflp_shadow_free(api, task, 7);
	return 0;
}

BPFLP_CALLBACK(pre_unpatch)
{
	bpflp_shadow_free_all(api, 7);
	return 0;
}
