// SPDX-License-Identifier: GPL-2.0
/*
 * Observes __mutex_unlock_slowpath, which the compiler specialised: ftrace
 * and kallsyms know only __mutex_unlock_slowpath.constprop.0, whose
 * prototype differs from the source's, so it has no BTF and no BPF
 * program can attach to it under either name.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("renamed-func", 1);

BPFLP_FENTRY(__mutex_unlock_slowpath, void *lock, __u64 ip)
{
	return 0;
}
