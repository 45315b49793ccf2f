// SPDX-License-Identifier: GPL-2.0
/* Reads a 41st argument of a two-argument function: ctx out of bounds. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("verifier-ctx", 1);

BPFLP_FMOD_RET(security_file_open, struct file *file)
{
	return ctx[40] ? -1 : 0;
}
