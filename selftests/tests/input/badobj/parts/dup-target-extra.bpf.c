// SPDX-License-Identifier: GPL-2.0
/*
 * Second half of dup-target.bpf.o: a program with the name and section that
 * BPFLP_FMOD_RET(security_file_open) gives its program. Static so that the
 * linker keeps both; badobj.mk makes it global afterwards. No gate: the
 * loader must refuse the object before it loads anything.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("fmod_ret/security_file_open")
__attribute__((used)) static int security_file_open__ret(unsigned long long *ctx)
{
	return 0;
}
