// SPDX-License-Identifier: GPL-2.0
/*
 * The commit word's bits (loader/engine/word_bits.h): every apply and
 * disable flips bit 63, the side bit, and moves the slots' bits in the
 * same word; while an older bpflp's patch holds slot 63, bit 63 is its
 * slot and nothing flips it, and the commit that takes it out leaves
 * side 0.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "word_bits.h"

#define SIDE (1ULL << 63)

/* A registry whose active records hold the slots in mask. */
static struct registry active(__u64 mask)
{
	struct registry reg = { .recs = calloc(64, sizeof(struct patch_record)) };

	for (int s = 0; s < 64; s++) {
		if (!(mask & (1ULL << s)))
			continue;
		reg.recs[reg.nr].meta.status = PATCH_ACTIVE;
		reg.recs[reg.nr++].meta.slot = s;
	}
	return reg;
}

static void test_every_commit_flips(void **state)
{
	struct registry reg = active(0x3);

	(void)state;
	/* A stack of slot 2 over slots 0 and 1, side 0 then side 1. */
	assert_int_equal(word_next(&reg, 0x3, 0x3 | 0x4), SIDE | 0x7);
	assert_int_equal(word_next(&reg, SIDE | 0x3, SIDE | 0x3 | 0x4), 0x7);
	/* A replace by slot 5, and a disable of slot 0: the side flips either way. */
	assert_int_equal(word_next(&reg, SIDE | 0x3, 1ULL << 5), 1ULL << 5);
	assert_int_equal(word_next(&reg, 0x3, 0x2), SIDE | 0x2);
	assert_int_equal(word_slots(&reg, SIDE | 0x3), 0x3);
	assert_int_equal(word_side(&reg, SIDE | 0x3), 1);
	assert_int_equal(word_side(&reg, 0x3), 0);
	free(reg.recs);
}

static void test_slot_63_of_an_older_bpflp(void **state)
{
	struct registry reg = active(SIDE | 0x1);

	(void)state;
	assert_true(word_side_is_slot(&reg));
	assert_int_equal(word_side(&reg, SIDE | 0x1), -1);
	assert_int_equal(word_slots(&reg, SIDE | 0x1), SIDE | 0x1);
	/* Stacking slot 1 and disabling slot 0 keep bit 63 as the slot it is. */
	assert_int_equal(word_next(&reg, SIDE | 0x1, SIDE | 0x3), SIDE | 0x3);
	assert_int_equal(word_next(&reg, SIDE | 0x1, SIDE), SIDE);
	/* Its replace or disable leaves bit 63 clear: side 0. */
	assert_int_equal(word_next(&reg, SIDE | 0x1, 0x4), 0x4);
	assert_int_equal(word_next(&reg, SIDE | 0x1, 0x1), 0x1);
	free(reg.recs);
}

static void test_side_without_a_record(void **state)
{
	struct registry reg = active(0);

	(void)state;
	/* Bit 63 set and no record in slot 63: it is the side, not drift. */
	assert_false(word_side_is_slot(&reg));
	assert_int_equal(word_slots(&reg, SIDE), 0);
	assert_int_equal(word_next(&reg, SIDE, 0x1), 0x1);
	free(reg.recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_commit_flips),
		cmocka_unit_test(test_slot_63_of_an_older_bpflp),
		cmocka_unit_test(test_side_without_a_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
