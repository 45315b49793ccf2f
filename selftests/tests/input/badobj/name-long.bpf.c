// SPDX-License-Identifier: GPL-2.0
/*
 * A 33-character name, one over the limit. It fills name[33] exactly, with
 * no NUL. Written by hand rather than with BPFLP_PATCH, so the loader must
 * refuse it even if the macro learns to refuse it at compile time.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

const volatile struct bpflp_patch_info bpflp_patch = {
	.magic = BPFLP_MAGIC,
	.abi_version = BPFLP_ABI_VERSION,
	.name = "abcdefghijklmnopqrstuvwxyz0123456",
	.version = 1,
};
char LICENSE[] SEC("license") = "GPL";

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
