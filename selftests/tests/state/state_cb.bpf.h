/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The system-state tests' patches (selftests/tests/state/68_state_core.sh), after
 * the kernel's livepatch test-state modules: a "system modification" (the
 * pinned map bpflp_t_sysset: [0] the setting, [1] the value saved before
 * it was changed) made by the first patch declaring state T_STATE_ID and
 * taken over, not redone, by the cumulative patches after it.
 *
 *   pre_patch     no previous state: save the setting, set it to 42 (setup);
 *                 else take it over, touching nothing
 *   post_unpatch  restore the saved setting (the patch was disabled)
 *
 * Each callback logs version * 100 + event * 10 + the previous version
 * (bpflp_state_prev_version) in bpflp_t_stlog: [0] counts, [1..] events.
 */
#ifndef BPFLP_T_STATE_CB_BPF_H
#define BPFLP_T_STATE_CB_BPF_H

#include "core.bpf.h"

#define T_STATE_ID 7

enum {
	ST_EV_SETUP = 1,
	ST_EV_TAKEOVER = 2,
	ST_EV_POST_PATCH = 3,
	ST_EV_RESTORE = 4,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bpflp_t_stlog SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} bpflp_t_sysset SEC(".maps");

static __always_inline void st_log(__u32 code)
{
	__u32 zero = 0, idx, *count, *slot;

	count = bpf_map_lookup_elem(&bpflp_t_stlog, &zero);
	if (!count)
		return;
	idx = __sync_fetch_and_add(count, 1) + 1;
	slot = bpf_map_lookup_elem(&bpflp_t_stlog, &idx);
	if (slot)
		*slot = code;
}

#define T_STATE_PATCH(name, version, state_version)                                                \
	BPFLP_PATCH(name, version);                                                                \
	BPFLP_STATE(T_STATE_ID, state_version);                                                    \
	T_DENY_MKDIR(EPERM)                                                                        \
                                                                                                   \
	static __always_inline void st_event(__u32 event)                                          \
	{                                                                                          \
		st_log((version)*100 + event * 10 + bpflp_state_prev_version(T_STATE_ID));         \
	}                                                                                          \
                                                                                                   \
	BPFLP_CALLBACK(pre_patch)                                                                  \
	{                                                                                          \
		__u32 setting = 0, saved = 1, *value, *save;                                       \
                                                                                                   \
		if (bpflp_state_prev_present(T_STATE_ID)) {                                        \
			st_event(ST_EV_TAKEOVER);                                                  \
			return 0;                                                                  \
		}                                                                                  \
		value = bpf_map_lookup_elem(&bpflp_t_sysset, &setting);                            \
		save = bpf_map_lookup_elem(&bpflp_t_sysset, &saved);                               \
		if (!value || !save)                                                               \
			return 1;                                                                  \
		*save = *value;                                                                    \
		*value = 42;                                                                       \
		st_event(ST_EV_SETUP);                                                             \
		return 0;                                                                          \
	}                                                                                          \
	BPFLP_CALLBACK(post_patch)                                                                 \
	{                                                                                          \
		st_event(ST_EV_POST_PATCH);                                                        \
		return 0;                                                                          \
	}                                                                                          \
	BPFLP_CALLBACK(post_unpatch)                                                               \
	{                                                                                          \
		__u32 setting = 0, saved = 1, *value, *save;                                       \
                                                                                                   \
		value = bpf_map_lookup_elem(&bpflp_t_sysset, &setting);                            \
		save = bpf_map_lookup_elem(&bpflp_t_sysset, &saved);                               \
		if (value && save)                                                                 \
			*value = *save;                                                            \
		st_event(ST_EV_RESTORE);                                                           \
		return 0;                                                                          \
	}

#endif /* BPFLP_T_STATE_CB_BPF_H */
