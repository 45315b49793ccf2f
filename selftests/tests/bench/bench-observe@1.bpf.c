// SPDX-License-Identifier: GPL-2.0
/* A bpflp observer that does nothing: the cost of a gated fentry. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("bench-observe", 1);

BPFLP_FENTRY(security_task_getsid, struct task_struct *p)
{
	return 0;
}
