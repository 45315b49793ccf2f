// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "output.h"
#include "word_bits.h"
#include "word_print.h"

void word_print_json(const struct registry *reg, __u64 word)
{
	int side = word_side(reg, word);

	jsonw_uint_field(json_wtr, "commit_word", word_slots(reg, word));
	jsonw_name(json_wtr, "side");
	if (side < 0)
		jsonw_null(json_wtr);
	else
		jsonw_uint(json_wtr, side);
}

void word_format(const struct registry *reg, __u64 word, char *buf, size_t size)
{
	int side = word_side(reg, word);

	if (side < 0)
		snprintf(buf, size, "%#llx (slots, slot 63 an older bpflp's)",
			 (unsigned long long)word);
	else
		snprintf(buf, size, "%#llx (slots %#llx, side %d)", (unsigned long long)word,
			 (unsigned long long)word_slots(reg, word), side);
}
