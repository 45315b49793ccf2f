// SPDX-License-Identifier: GPL-2.0
/*
 * One source, many patches, for the limit tests (32_limits.sh): lim-F-N@1
 * observes the function LIM_FUNC (fentry) and does nothing else. The
 * Makefile builds it as lim-F-N.bpf.o with LIM_NAME "lim-F-N" and LIM_FUNC
 * the F-th function of LIMIT_FUNCS, so a test can stack many distinct
 * patches on one function, or on a few.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH(LIM_NAME, 1);

/* One level more, so LIM_FUNC expands before the macro pastes its name. */
#define LIM_FENTRY(func) BPFLP_FENTRY(func)

LIM_FENTRY(LIM_FUNC)
{
	return 0;
}
