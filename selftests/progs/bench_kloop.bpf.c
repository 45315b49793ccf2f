// SPDX-License-Identifier: GPL-2.0
/*
 * Ungated fmod_ret programs for the kernel-loop benchmark (bench_kloop):
 * on vmlinux's security_ismaclabel(), which a bpflp patch also takes, and
 * on the target module's security_bpflp_bench_0(), which a livepatch also
 * takes (attached through the module's BTF).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fmod_ret/security_ismaclabel")
int BPF_PROG(raw_fmod_ret_lsm, const char *name)
{
	return 0;
}

SEC("fmod_ret/security_bpflp_bench_0")
int BPF_PROG(raw_fmod_ret_mod, int x)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
