// SPDX-License-Identifier: GPL-2.0
/*
 * t-o@1: observes security_file_open (fexit only, nothing replaced) and
 * counts the opens of bpflp-t-a* files in bpflp_t_obs (entry 0), pinned by
 * name at /sys/fs/bpf/bpflp_t_obs. Replacing t-a@1 (an fmod_ret on the same
 * function) by t-o@1 must leave no per-call state behind that makes its
 * gate skip a call (29_core_long_lived.sh).
 */
#include "core.bpf.h"

BPFLP_PATCH("t-o", 1);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bpflp_t_obs SEC(".maps");

BPFLP_FEXIT(security_file_open, struct file *file, int ret)
{
	__u32 zero = 0;
	__u64 *count;

	if (t_dentry_tag(BPF_CORE_READ(file, f_path.dentry)) != 'a')
		return 0;
	count = bpf_map_lookup_elem(&bpflp_t_obs, &zero);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}
