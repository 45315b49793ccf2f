// SPDX-License-Identifier: GPL-2.0
/*
 * t-ntcb@1: logs its callbacks as 51..54 and observes do_blk_trace_setup,
 * which has BTF but no ftrace call site (kernel/trace/ is built notrace):
 * attaching to it fails, after pre_patch has run.
 */
#include "core.bpf.h"

BPFLP_PATCH("t-ntcb", 1);
T_CALLBACKS(5, 0)

BPFLP_FENTRY(do_blk_trace_setup, void *q)
{
	return 0;
}
