// SPDX-License-Identifier: GPL-2.0
/* A valid patch whose pre_patch callback refuses: -ENODEV (-19). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("prepatch-fail", 1);

BPFLP_CALLBACK(pre_patch)
{
	return -19;
}

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
