// SPDX-License-Identifier: GPL-2.0
/* A sleepable fentry (fentry.s/): the macros never produce one. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("sleepable", 1);

SEC("fentry.s/do_unlinkat")
int BPF_PROG(do_unlinkat__entry, int dfd, struct filename *name)
{
	return 0;
}
