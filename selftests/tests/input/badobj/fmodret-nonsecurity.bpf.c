// SPDX-License-Identifier: GPL-2.0
/* fmod_ret on do_unlinkat: neither a security_* hook nor an error-injection point. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("fmodret-nonsecurity", 1);

BPFLP_FMOD_RET(do_unlinkat, int dfd, struct filename *name)
{
	return -1;
}
