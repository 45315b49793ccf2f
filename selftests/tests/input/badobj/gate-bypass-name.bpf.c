// SPDX-License-Identifier: GPL-2.0
/* A plain fentry program next to the identity: no gate, not the macro's name. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("gate-bypass-name", 1);

SEC("fentry/do_unlinkat")
int BPF_PROG(watch_unlink, int dfd, struct filename *name)
{
	return 0;
}
