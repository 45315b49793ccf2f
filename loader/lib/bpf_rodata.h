/* SPDX-License-Identifier: GPL-2.0 */
/* A libbpf object's read-only data, before load: where the loader sets what BPF reads. */
#ifndef BPFLP_BPF_RODATA_H
#define BPFLP_BPF_RODATA_H

#include <stddef.h>

struct bpf_object;

/*
 * Pointer to the variable var of the object's .rodata image, if it has
 * one of exactly size bytes; else NULL. Writes through it land in what the
 * programs read once loaded (const volatile knobs).
 */
void *bpf_rodata_var(struct bpf_object *obj, const char *var, size_t size);

#endif /* BPFLP_BPF_RODATA_H */
