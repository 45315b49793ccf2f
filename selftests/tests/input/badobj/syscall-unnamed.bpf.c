// SPDX-License-Identifier: GPL-2.0
/* A syscall program that is not one of the four BPFLP_CALLBACK names. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("syscall-unnamed", 1);

SEC("syscall")
int setup(void *ctx)
{
	return 0;
}

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
