// SPDX-License-Identifier: GPL-2.0
/* The commit word's slot bits and side bit: see word_bits.h. */
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
