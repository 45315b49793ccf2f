/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maps every bpflp BPF object shares through bpffs pins. The loader points
 * each at its pin before load (bpf_map__set_pin_path: libbpf reuses the
 * pinned map, or creates and pins it), so these definitions must stay
 * identical in every object: libbpf refuses a pinned map whose type or
 * sizes differ.
 */
#ifndef BPFLP_MAPS_BPF_H
#define BPFLP_MAPS_BPF_H

#include <bpf/bpf_helpers.h>
#include "bpflp/abi.h"

/* The commit word (one entry). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpflp_state);
} bpflp_state SEC(".maps");

/*
 * Function key (BTF id) -> slots of the active patches that cover it. Only read
 * when a newer slot is active, to let the newest stacked patch win.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* entries only for functions patched */
	__uint(max_entries, BPFLP_MAX_COVERED);
	__type(key, __u64);
	__type(value, __u64);
} bpflp_cover SEC(".maps");

/*
 * Slot -> slots of the patches activated after it (newer ones win where
 * they overlap). Slots are reused, so their numbers say nothing of age.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BPFLP_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} bpflp_order SEC(".maps");

/*
 * Slot -> generation of the patch instance armed in it; 0 for a slot never
 * used, and bit 63 with the time for a released one (a generation never
 * has it). Only an armed take or gate marks its slot in a call's snapshot
 * entry (see snapshot.bpf.h); the loader disarms a patch before detaching it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BPFLP_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} bpflp_armed SEC(".maps");

/* Per-task snapshots of the commit word for the calls in progress. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct bpflp_snapshot);
} bpflp_snap SEC(".maps");

#endif /* BPFLP_MAPS_BPF_H */
