// SPDX-License-Identifier: GPL-2.0
/*
 * A pass-through bpflp patch on security_ismaclabel(), which the scale
 * benchmark's kernel loop calls (/proc/bpflp_bench "lsm COUNT"): the gate's
 * cost against the raw program of selftests/helpers/progs/bench_kloop.bpf.c.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("bench-kloop", 1);

BPFLP_FMOD_RET(security_ismaclabel, const char *name)
{
	return 0;
}
