// SPDX-License-Identifier: GPL-2.0
/* Dereferences a map lookup result without checking it for NULL. */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("verifier-null", 1);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} unlinks SEC(".maps");

BPFLP_FENTRY(do_unlinkat, int dfd, struct filename *name)
{
	__u32 key = 0;
	__u64 *count = bpf_map_lookup_elem(&unlinks, &key);

	*count += 1;
	return 0;
}
