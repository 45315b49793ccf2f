/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the commit word's bits mean. Bits 0 to 62 are the patches' slots;
 * bit 63 (BPFLP_SIDE_BIT) names the live side of the dispatch stubs'
 * program arrays, and every apply and disable flips it in the same
 * compare-and-swap that moves the slots. A bpflp from before the side bit
 * gave out slot 63 like any other: while a patch it applied there is
 * active, bit 63 is that patch's slot, and no commit flips it (its gates
 * would open and shut with every transaction); the commit that takes that
 * patch out leaves bit 63 clear, side 0, and from then on it is the side.
 */
#ifndef BPFLP_WORD_BITS_H
#define BPFLP_WORD_BITS_H

#include <stdbool.h>
#include <linux/types.h>
#include "bpflp/abi.h"
#include "commit.h"
#include "store.h"

#define WORD_SIDE_MASK (1ULL << BPFLP_SIDE_BIT)
#define WORD_SLOT_MASK (WORD_SIDE_MASK - 1)

/* An active record holds slot 63, so bit 63 is its slot, not the side. */
bool word_side_is_slot(const struct registry *reg);

/* The slots word enables, as records count them. */
__u64 word_slots(const struct registry *reg, __u64 word);

/* The side word names (0 or 1), or -1 while bit 63 is a slot. */
int word_side(const struct registry *reg, __u64 word);

/*
 * The word an apply or disable commits: the slots post_slots (bits of
 * pre's slots kept or dropped, one added) with the side flipped, or bit
 * 63 as post_slots has it while it is a slot.
 */
__u64 word_next(const struct registry *reg, __u64 pre, __u64 post_slots);

/*
 * Once no record holds slot 63, what its patch left in the gate maps
 * goes before a commit can set bit 63 as the side: bpflp_order's bit 63
 * (patches older than it deferred to it there, and bits are only ever
 * added), and slot 63 is marked retired in bpflp_armed, so that this
 * runs once. A slot 63 armed for a patch no record holds (an older
 * bpflp's, its record pins deleted by hand) would see its gates open
 * with every other commit: refused (-EUCLEAN), with what to do;
 * `recover` (repair) retires it once no program of it is left. Called
 * as a transaction begins; reads one map entry when there is nothing to
 * do.
 */
int word_retire_slot_63(struct commit_ctx *cc, const struct registry *reg, bool repair);

/*
 * The same as a transaction ends, after the grace period flux_end waited,
 * for a slot 63 its commit released: nothing is refused, and a hand edit
 * of the side in between has no stale bit to meet.
 */
void word_retire_released_slot_63(struct commit_ctx *cc, const struct registry *reg);

#endif /* BPFLP_WORD_BITS_H */
