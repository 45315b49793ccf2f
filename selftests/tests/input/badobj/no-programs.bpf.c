// SPDX-License-Identifier: GPL-2.0
/* An identity and a callback, but nothing to patch. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("no-programs", 1);

BPFLP_CALLBACK(post_patch)
{
	return 0;
}
