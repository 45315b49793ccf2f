// SPDX-License-Identifier: GPL-2.0
/* A kprobe program: not a kind bpflp attaches. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("kprobe-prog", 1);

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(do_unlinkat__entry, int dfd, struct filename *name)
{
	return 0;
}
