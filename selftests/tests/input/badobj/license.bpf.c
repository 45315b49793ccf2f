// SPDX-License-Identifier: GPL-2.0
/*
 * Identity by hand with a non-GPL license: the gate calls GPL-only helpers
 * (bpf_get_current_task_btf), so the verifier refuses the program.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

const volatile struct bpflp_patch_info bpflp_patch = {
	.magic = BPFLP_MAGIC,
	.abi_version = BPFLP_ABI_VERSION,
	.name = "license",
	.version = 1,
};
char LICENSE[] SEC("license") = "Proprietary";

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
