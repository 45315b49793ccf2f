/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which slot a new patch gets. A slot is free when the commit word does not
 * use it, and reusable only once every program of its previous instance is
 * gone from the kernel: until then that instance's gates open whenever the
 * slot's bit is in a word (docs/design.md, "Reusing a slot").
 */
#ifndef BPFLP_SLOTS_H
#define BPFLP_SLOTS_H

#include <linux/types.h>
#include "store.h"

/*
 * Slots named in the rodata of a program still in the kernel that uses the
 * snapshot map snap_fd (every gate, take and drop does), whoever holds it.
 */
int slots_with_programs(int snap_fd, __u64 *mask);

/*
 * A slot below BPFLP_PATCH_SLOTS that the slots in word do not use and no
 * program still has, the one released longest ago first (by the times
 * bpflp_armed, armed_fd, keeps). Waits up to wait_ms for programs being
 * detached to go; -EBUSY with *lingering set if they stay, -ENOSPC if
 * every slot is used.
 */
int slot_pick(int armed_fd, int snap_fd, __u64 word, int wait_ms, __u32 *slot, __u64 *lingering);

#endif /* BPFLP_SLOTS_H */
