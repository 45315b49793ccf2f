// SPDX-License-Identifier: GPL-2.0
/*
 * Named exactly as BPFLP_FENTRY(do_unlinkat) names its program and with the
 * gate key and rodata the macro defines, so it gets past every check on the object, but
 * it never reads the commit word: only the check of the loaded program's
 * maps can catch it.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("gate-bypass-ungated", 1);

const volatile __u64 bpflp_fid_do_unlinkat__entry = 0;
const volatile __u32 bpflp_idx_do_unlinkat__entry = 0;
const volatile __u32 bpflp_snap_do_unlinkat__entry = 0;

SEC("fentry/do_unlinkat")
int BPF_PROG(do_unlinkat__entry, int dfd, struct filename *name)
{
	return 0;
}
