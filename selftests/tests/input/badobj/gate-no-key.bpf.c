// SPDX-License-Identifier: GPL-2.0
/*
 * Named exactly as BPFLP_FENTRY(do_unlinkat) names its program, but without
 * the gate key (bpflp_fid_do_unlinkat__entry) the macro defines with it.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("gate-no-key", 1);

SEC("fentry/do_unlinkat")
int BPF_PROG(do_unlinkat__entry, int dfd, struct filename *name)
{
	return 0;
}
