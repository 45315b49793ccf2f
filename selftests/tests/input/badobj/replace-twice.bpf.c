// SPDX-License-Identifier: GPL-2.0
/* replace-twice: BPFLP_REPLACE and BPFLP_FMOD_RET on one function. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("replace-twice", 1);

BPFLP_REPLACE(security_file_open, struct file *file)
{
	return -1;
}

BPFLP_FMOD_RET(security_file_open, struct file *file)
{
	return -1;
}
