// SPDX-License-Identifier: GPL-2.0
/*
 * Observes from_kuid_munged, whose second argument is a kuid_t, a struct
 * of 4 bytes passed by value in one register: BPF trampolines take it
 * (up to 16 bytes). Counts the calls for uid 4242 into bpflp_struct_seen
 * (pinned by name), so the test sees the argument's value arrive intact.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("struct-small", 1);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bpflp_struct_seen SEC(".maps");

/* The struct's one member, uid_t, is the low 32 bits of its register. */
BPFLP_FENTRY(from_kuid_munged, void *ns, __u64 kuid)
{
	__u32 key = 0;
	__u64 *seen;

	if ((__u32)kuid != 4242)
		return 0;
	seen = bpf_map_lookup_elem(&bpflp_struct_seen, &key);
	if (seen)
		__sync_fetch_and_add(seen, 1);
	return 0;
}
