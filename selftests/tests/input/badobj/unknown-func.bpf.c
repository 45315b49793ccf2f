// SPDX-License-Identifier: GPL-2.0
/* Targets a function that no kernel has. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("unknown-func", 1);

BPFLP_FENTRY(bpflp_no_such_function, int arg)
{
	return 0;
}
