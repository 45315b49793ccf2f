// SPDX-License-Identifier: GPL-2.0
/* Observes a function in vmlinux's BTF that ftrace cannot attach to (notrace). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("notrace-func", 1);

BPFLP_FENTRY(do_blk_trace_setup, void *q)
{
	return 0;
}
