/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A BTF type's whole layout, hashed: what a program's CO-RE record or map
 * means by a type (prog_fingerprint.h). Unlike btf_layout_str(), which
 * describes one level for people, it goes through every member, array
 * element, typedef and modifier, with names, sizes and bit offsets; a
 * pointer to a named type is followed to its kind and name only, so a
 * linked list does not loop (an unnamed one cannot refer back to itself).
 */
#ifndef BPFLP_BTF_DIGEST_H
#define BPFLP_BTF_DIGEST_H

#include <bpf/btf.h>
#include "sha256.h"

/* Hash type id of btf (0, or no btf: void) into h. */
void btf_type_digest(const struct btf *btf, __u32 id, struct sha256_ctx *h);

#endif /* BPFLP_BTF_DIGEST_H */
