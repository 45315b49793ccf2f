// SPDX-License-Identifier: GPL-2.0
/* A bpflp patch whose body does nothing: what remains is the gate's cost. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("bench-gate2", 1);

BPFLP_FMOD_RET(security_task_getsid, struct task_struct *p)
{
	return 0;
}
