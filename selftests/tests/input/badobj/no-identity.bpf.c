// SPDX-License-Identifier: GPL-2.0
/* A well-formed gated program, but no BPFLP_PATCH(name, version). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

char LICENSE[] SEC("license") = "GPL";

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
