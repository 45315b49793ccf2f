/* SPDX-License-Identifier: GPL-2.0 */
/* The commit word as `list` and `status` show it: its slots and its side. */
#ifndef BPFLP_WORD_PRINT_H
#define BPFLP_WORD_PRINT_H

#include <linux/types.h>
#include "store.h"

/*
 * "commit_word": the slots it enables (what scripts compared before the
 * side bit), "side": 0, 1, or null while bit 63 is an older bpflp's slot.
 */
void word_print_json(const struct registry *reg, __u64 word);

/* "0x8000000000000003 (slots 0x3, side 1)" into buf. */
void word_format(const struct registry *reg, __u64 word, char *buf, size_t size);

#endif /* BPFLP_WORD_PRINT_H */
