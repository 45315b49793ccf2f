// SPDX-License-Identifier: GPL-2.0
/* Identity written by hand with built for bpflp ABI 99. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

const volatile struct bpflp_patch_info bpflp_patch = {
	.magic = BPFLP_MAGIC,
	.abi_version = 99,
	.name = "abi-mismatch",
	.version = 1,
};
char LICENSE[] SEC("license") = "GPL";

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
