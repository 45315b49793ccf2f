// SPDX-License-Identifier: GPL-2.0
/*
 * over-fp@1: stacked on patch "fp" (fp.bpf.c), newer on one of its
 * functions, security_inode_getattr, with a body of its own. There the
 * program that runs is this one, and what a replace by fp is compared with
 * (34_core_unchanged.sh).
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("over-fp", 1);

BPFLP_FMOD_RET(security_inode_getattr, const struct path *path)
{
	return 0; /* the original runs: which program runs is what matters here */
}
