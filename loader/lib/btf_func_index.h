/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions by name in a BTF, in constant time. btf__find_by_name_kind
 * compares every type's name (about 100 000 in vmlinux's BTF, and a module's
 * split BTF starts over from vmlinux's first type): a patch of N functions
 * paid N such scans, and one more per loaded module for a module's function
 * (docs/benchmarks.md has the cost). One pass builds this index instead.
 */
#ifndef BPFLP_BTF_FUNC_INDEX_H
#define BPFLP_BTF_FUNC_INDEX_H

#include <linux/types.h>

struct btf;
struct btf_func_index;

/*
 * Index the FUNC types of btf whose ids are first_id or more (a module's
 * own, above its base). Of two with one name, the lower id is kept: what
 * btf__find_by_name_kind() returns. The index points into btf's strings:
 * btf must outlive it. NULL: out of memory.
 */
struct btf_func_index *btf_func_index_new(const struct btf *btf, __u32 first_id);
void btf_func_index_free(struct btf_func_index *idx);

/* The BTF id of the FUNC named func, or -ENOENT. */
int btf_func_index_find(const struct btf_func_index *idx, const char *func);

#endif /* BPFLP_BTF_FUNC_INDEX_H */
