// SPDX-License-Identifier: GPL-2.0
/*
 * Linked with parts/dup-target-extra.bpf.c (see badobj.mk): the result
 * has two fmod_ret programs on security_file_open, both named as the macro
 * names them, which one C file cannot express.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("dup-target", 1);

BPFLP_FMOD_RET(security_file_open, struct file *file)
{
	return 0;
}
