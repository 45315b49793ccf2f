// SPDX-License-Identifier: GPL-2.0
/* Patch name with the NAME@VERSION separator. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("ex@1", 1);

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
