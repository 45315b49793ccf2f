// SPDX-License-Identifier: GPL-2.0
/* Identity written by hand with a magic that is not BPFLP_MAGIC. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

const volatile struct bpflp_patch_info bpflp_patch = {
	.magic = 0xdeadbeef,
	.abi_version = BPFLP_ABI_VERSION,
	.name = "bad-magic",
	.version = 1,
};
char LICENSE[] SEC("license") = "GPL";

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
