/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory layout of a BTF type, as a shadow's value type has it: compared
 * field by field between two BTF objects (the map an active patch created
 * and a new patch object), and printed for `bpflp list`.
 */
#ifndef BPFLP_BTF_LAYOUT_H
#define BPFLP_BTF_LAYOUT_H

#include <bpf/btf.h>

struct layout_diff {
	char field[128]; /* "count", "hist[]", "inner.limit", or "" for the type itself */
	char was[128];   /* what the old layout has there */
	char now[128];   /* what the new one has */
};

/* 0: same layout; 1: different, *d says where first (in declaration order). */
int btf_layout_diff(const struct btf *old, __u32 old_id, const struct btf *new, __u32 new_id,
		    struct layout_diff *d);

/* "struct rl {__u64 count; __u32 limit[2];}" (truncated with "..." to fit size). */
void btf_layout_str(const struct btf *btf, __u32 id, char *buf, size_t size);

#endif /* BPFLP_BTF_LAYOUT_H */
