// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "btf_digest.h"

/* Deeper than any C type a patch declares; a type nested deeper is cut there, the same way each time. */
#define BTF_DIGEST_DEPTH 16

static void hash_u32(struct sha256_ctx *h, __u32 v)
{
	sha256_update(h, &v, sizeof(v));
}

static void hash_name(struct sha256_ctx *h, const struct btf *btf, __u32 name_off)
{
	const char *name = btf__name_by_offset(btf, name_off);

	name = name ?: "";
	sha256_update(h, name, strlen(name) + 1);
}

static bool has_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = id ? btf__type_by_id(btf, id) : NULL;
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	return name && *name;
}

static void digest(const struct btf *btf, __u32 id, struct sha256_ctx *h, int depth, bool named_only)
{
	const struct btf_type *t = id && btf ? btf__type_by_id(btf, id) : NULL;

	if (!t) {
		hash_u32(h, ~0U); /* void, or an id this BTF does not have */
		return;
	}
	hash_u32(h, btf_kind(t));
	hash_u32(h, btf_kflag(t));
	hash_name(h, btf, t->name_off);
	if (named_only || depth > BTF_DIGEST_DEPTH)
		return;
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		hash_u32(h, t->size);
		hash_u32(h, *(const __u32 *)(t + 1)); /* encoding, offset, bits */
		break;
	case BTF_KIND_FLOAT:
		hash_u32(h, t->size);
		break;
	case BTF_KIND_PTR:
		/* A named target by its name (a list links back to it); an unnamed one cannot. */
		digest(btf, t->type, h, depth + 1, has_name(btf, t->type));
		break;
	case BTF_KIND_ARRAY:
		hash_u32(h, btf_array(t)->nelems);
		digest(btf, btf_array(t)->type, h, depth + 1, false);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		hash_u32(h, t->size);
		hash_u32(h, btf_vlen(t));
		for (int i = 0; i < btf_vlen(t); i++) {
			const struct btf_member *m = btf_members(t) + i;

			hash_name(h, btf, m->name_off);
			hash_u32(h, m->offset); /* bit offset, and bitfield size with kflag */
			digest(btf, m->type, h, depth + 1, false);
		}
		break;
	case BTF_KIND_ENUM:
		hash_u32(h, t->size);
		for (int i = 0; i < btf_vlen(t); i++) {
			hash_name(h, btf, btf_enum(t)[i].name_off);
			hash_u32(h, (__u32)btf_enum(t)[i].val);
		}
		break;
	case BTF_KIND_ENUM64:
		hash_u32(h, t->size);
		for (int i = 0; i < btf_vlen(t); i++) {
			hash_name(h, btf, btf_enum64(t)[i].name_off);
			hash_u32(h, btf_enum64(t)[i].val_lo32);
			hash_u32(h, btf_enum64(t)[i].val_hi32);
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		digest(btf, t->type, h, depth + 1, false);
		for (int i = 0; i < btf_vlen(t); i++)
			digest(btf, btf_params(t)[i].type, h, depth + 1, false);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
		digest(btf, t->type, h, depth + 1, false);
		break;
	default: /* FWD (kind and name say it all), DATASEC, DECL_TAG */
		break;
	}
}

void btf_type_digest(const struct btf *btf, __u32 id, struct sha256_ctx *h)
{
	digest(btf, id, h, 0, false);
}
