/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A BTF type's whole layout, hashed: what a program's CO-RE record or map
 * means by a type (prog_fingerprint.h). Unlike btf_layout_str(), which
 * describes one level for people, it goes through every member, array
 * element, typedef and modifier, with names, sizes and bit offsets; a
 * pointer to a named type is followed to its kind and name only, so a
 * linked list does not loop (an unnamed one cannot refer back to itself).
 *
 * Each type's digest is made once per BTF and stands for it wherever it
 * is used: a type reached through many paths (eight members of one type,
 * nested eight deep) costs one digest each, not one per path.
 */
#ifndef BPFLP_BTF_DIGEST_H
#define BPFLP_BTF_DIGEST_H

#include <bpf/btf.h>
#include "sha256.h"

/* Deeper than any type C declares: a BTF nesting deeper is refused, never cut. */
#define BTF_DIGEST_DEPTH 64

struct btf_digests;

/* The digests of btf's types, made as asked for. NULL: out of memory (errno). */
struct btf_digests *btf_digests_new(const struct btf *btf);
void btf_digests_free(struct btf_digests *d);

/*
 * Hash type id's layout into h (id 0, or one btf does not have: void).
 * 0; -ELOOP when it nests deeper than BTF_DIGEST_DEPTH or contains itself
 * (a hand-made BTF: C cannot declare either), h then unchanged; or
 * -ENOMEM.
 */
int btf_digests_hash(struct btf_digests *d, __u32 id, struct sha256_ctx *h);

#endif /* BPFLP_BTF_DIGEST_H */
