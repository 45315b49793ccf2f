/* SPDX-License-Identifier: GPL-2.0 */
/* A libbpf object's read-only data, before load: where the loader sets what BPF reads. */
#ifndef BPFLP_BPF_RODATA_H
#define BPFLP_BPF_RODATA_H

#include <stddef.h>

struct bpf_object;

/*
 * The variables of an object's read-only data where bpflp's live
 * (.rodata.bpflp, and .rodata for objects built before it and hand-written
 * ones), indexed by name once: a patch has
 * several per function, and looking each up by a scan of the section made
 * opening a patch of N functions cost N^2 (docs/benchmarks.md, run M).
 */
struct bpf_rodata;

/*
 * The sections, in the order they are searched: bpflp's own (its
 * variables, abi.h) and .rodata, where an object built before bpflp had a
 * section of its own keeps them, and where a hand-written object may
 * declare some of them.
 */
#define BPF_RODATA_NR_SECTIONS 2
extern const char *const bpf_rodata_sections[BPF_RODATA_NR_SECTIONS];

/* NULL, with errno, when the object has neither section or no BTF for it. */
struct bpf_rodata *bpf_rodata_index(struct bpf_object *obj);
void bpf_rodata_free(struct bpf_rodata *rd);

/*
 * Pointer to the variable var in its section's image, if it has one of
 * exactly size bytes (and only one of that name); else NULL. Writes
 * through it land in what the programs read once loaded (const volatile
 * knobs). NULL rd: NULL.
 */
void *bpf_rodata_find(const struct bpf_rodata *rd, const char *var, size_t size);

/* The BTF id of var's VAR, or -ENOENT. */
int bpf_rodata_var_id(const struct bpf_rodata *rd, const char *var);

#endif /* BPFLP_BPF_RODATA_H */
