// SPDX-License-Identifier: GPL-2.0
/* Observes seq_printf, a variadic function: no BPF trampoline takes its arguments. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("variadic", 1);

BPFLP_FENTRY(seq_printf, void *m, const char *fmt)
{
	return 0;
}
