// SPDX-License-Identifier: GPL-2.0
/*
 * Observes rtc_tm_to_ktime, which takes a struct rtc_time (36 bytes) by
 * value: more than the 16 bytes (two registers) a BPF trampoline takes.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("struct-big", 1);

BPFLP_FENTRY(rtc_tm_to_ktime)
{
	return 0;
}
