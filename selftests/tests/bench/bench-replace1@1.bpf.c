// SPDX-License-Identifier: GPL-2.0
/*
 * bench-gate1@1 with BPFLP_REPLACE: fmod_ret where the kernel allows it, or
 * the companion module with BPFLP_ROUTE=companion (make bench compares both
 * on the same function).
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("bench-replace1", 1);

BPFLP_REPLACE(security_task_getsid, struct task_struct *p)
{
	return 0;
}
