// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("example", 1);

BPFLP_FMOD_RET(security_file_open, struct file *file)
{
	return 0;
}

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	return 0;
}
