// SPDX-License-Identifier: GPL-2.0
/* The commit word's slot bits and side bit: see word_bits.h. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "output.h"
#include "slots.h"
#include "word_bits.h"

bool word_side_is_slot(const struct registry *reg)
{
	return registry_active_mask(reg) & WORD_SIDE_MASK;
}

__u64 word_slots(const struct registry *reg, __u64 word)
{
	return word_side_is_slot(reg) ? word : word & WORD_SLOT_MASK;
}

int word_side(const struct registry *reg, __u64 word)
{
	return word_side_is_slot(reg) ? -1 : (int)(word >> BPFLP_SIDE_BIT);
}

__u64 word_next(const struct registry *reg, __u64 pre, __u64 post_slots)
{
	if (word_side_is_slot(reg))
		return post_slots;
	return (post_slots & WORD_SLOT_MASK) | (~pre & WORD_SIDE_MASK);
}

/* No program of a slot-63 instance is left in the kernel: 0, or -EBUSY with the error said. */
static int slot_63_gone(struct commit_ctx *cc)
{
	__u64 lingering;
	int err = slots_with_programs(cc->snap_fd, &lingering);

	if (!err && (lingering & WORD_SIDE_MASK))
		err = -EBUSY;
	if (err)
		p_err("slot 63 holds a patch no record names (an older bpflp's, its record deleted by hand) and its programs are still in the kernel: its gates would open with every other commit; remove its directory (see 'bpflp status'), close whatever else holds its programs, and run 'bpflp recover'");
	return err;
}

/*
 * Clear bit 63 from bpflp_order and mark slot 63 retired in bpflp_armed:
 * released at time 0, which a later disarm keeps (disarm_slot) and no
 * slot choice reads (slot_pick never gives slot 63).
 */
static int retire(struct commit_ctx *cc)
{
	__u64 order, retired = SLOT_RELEASED;
	__u32 slot = BPFLP_SIDE_BIT;
	int err = 0;

	for (__u32 s = 0; s < BPFLP_MAX_SLOTS && !err; s++) {
		if (bpf_map_lookup_elem(cc->order_fd, &s, &order) || !(order & WORD_SIDE_MASK))
			continue;
		order &= ~WORD_SIDE_MASK;
		if (bpf_map_update_elem(cc->order_fd, &s, &order, BPF_ANY))
			err = -errno;
	}
	if (!err && bpf_map_update_elem(cc->armed_fd, &slot, &retired, BPF_ANY))
		err = -errno;
	if (err)
		p_err("cannot retire slot 63 from %s/bpflp_order and bpflp_armed: %s", STORE_ROOT,
		      strerror(-err));
	return err;
}

/* bpflp_armed's entry for slot 63, or 0 (never used, or no record of it to retire). */
static __u64 slot_63_armed(struct commit_ctx *cc, const struct registry *reg)
{
	__u32 slot = BPFLP_SIDE_BIT;
	__u64 armed;

	if (word_side_is_slot(reg) || bpf_map_lookup_elem(cc->armed_fd, &slot, &armed) ||
	    armed == SLOT_RELEASED)
		return 0;
	return armed;
}

int word_retire_slot_63(struct commit_ctx *cc, const struct registry *reg, bool repair)
{
	__u64 armed = slot_63_armed(cc, reg);

	if (!armed)
		return 0;
	if (!(armed & SLOT_RELEASED) && !repair) {
		p_err("slot 63 is armed for a patch no record names (an older bpflp's, its record deleted by hand): run 'bpflp recover', which says what to do");
		return -EUCLEAN;
	}
	if (!(armed & SLOT_RELEASED) && slot_63_gone(cc))
		return -EUCLEAN;
	return retire(cc);
}

void word_retire_released_slot_63(struct commit_ctx *cc, const struct registry *reg)
{
	__u64 armed = slot_63_armed(cc, reg);

	if (armed & SLOT_RELEASED)
		retire(cc);
}
