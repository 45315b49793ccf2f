// SPDX-License-Identifier: GPL-2.0
/*
 * Replaces from_kuid_munged, whose kuid_t argument is a struct passed by
 * value: a trampoline can observe it, but neither fmod_ret (not a security
 * hook) nor the companion module (scalars and pointers only) can replace it.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("struct-replace", 1);

BPFLP_REPLACE(from_kuid_munged, struct user_namespace *ns, __u64 kuid)
{
	return 0;
}
