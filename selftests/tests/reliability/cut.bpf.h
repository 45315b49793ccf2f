/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cut-obs@N (selftests/tests/reliability/39_fexit_cut.sh): observe the sleeps
 * (hrtimer_nanosleep) of one process, entry and exit, counting into
 * bpflp_cut_obs, pinned by name at /sys/fs/bpf/bpflp_cut_obs: entry 0 is
 * the process (tgid) to watch, set by the test; N * 2 counts entries seen
 * by version N, N * 2 + 1 exits. The function sleeps, so a call is still
 * inside it while a transaction changes its trampoline.
 */
#ifndef BPFLP_CUT_BPF_H
#define BPFLP_CUT_BPF_H

#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

#define CUT_OBSERVE_SLEEP(version)                                                                 \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_ARRAY);                                                  \
		__uint(max_entries, 8);                                                            \
		__type(key, __u32);                                                                \
		__type(value, __u64);                                                              \
		__uint(pinning, LIBBPF_PIN_BY_NAME);                                               \
	} bpflp_cut_obs SEC(".maps");                                                              \
                                                                                                   \
	static __always_inline void cut_count(__u32 key)                                           \
	{                                                                                          \
		__u32 watched_key = 0;                                                             \
		__u64 *watched = bpf_map_lookup_elem(&bpflp_cut_obs, &watched_key);                \
		__u64 *count;                                                                      \
                                                                                                   \
		if (!watched || *watched != bpf_get_current_pid_tgid() >> 32)                      \
			return;                                                                    \
		count = bpf_map_lookup_elem(&bpflp_cut_obs, &key);                                 \
		if (count)                                                                         \
			__sync_fetch_and_add(count, 1);                                            \
	}                                                                                          \
                                                                                                   \
	BPFLP_FENTRY(hrtimer_nanosleep)                                                            \
	{                                                                                          \
		cut_count((version)*2);                                                            \
		return 0;                                                                          \
	}                                                                                          \
	BPFLP_FEXIT(hrtimer_nanosleep)                                                             \
	{                                                                                          \
		cut_count((version)*2 + 1);                                                        \
		return 0;                                                                          \
	}

#endif /* BPFLP_CUT_BPF_H */
