// SPDX-License-Identifier: GPL-2.0
/* Observes a function of the 9p module, which has BTF of its own (not vmlinux's). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("module-func", 1);

BPFLP_FENTRY(v9fs_statfs, void *dentry)
{
	return 0;
}
