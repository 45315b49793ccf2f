// SPDX-License-Identifier: GPL-2.0
/*
 * A valid patch named like examples/deny-open.bpf.c ("example"), version 2:
 * stacking it on top of the active example@1 must be refused.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("example", 2);

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
