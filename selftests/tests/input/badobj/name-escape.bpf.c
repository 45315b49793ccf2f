// SPDX-License-Identifier: GPL-2.0
/* Patch name with a path that climbs out of the state dir. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("../../../../tmp/bpflp-escape", 1);

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
