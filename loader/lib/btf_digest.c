// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "btf_digest.h"

enum {
	DIGEST_NONE,
	DIGEST_BUSY, /* being made: met again, the type contains itself */
	DIGEST_DONE
};

struct btf_digests {
	const struct btf *btf;
	__u32 nr_types;
	__u8 *state;                        /* DIGEST_* by type id */
	__u8 (*digest)[SHA256_DIGEST_SIZE]; /* by type id, once DIGEST_DONE */
};

struct btf_digests *btf_digests_new(const struct btf *btf)
{
	struct btf_digests *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->btf = btf;
	d->nr_types = btf ? btf__type_cnt(btf) : 0;
	d->state = calloc(d->nr_types ?: 1, sizeof(*d->state));
	d->digest = calloc(d->nr_types ?: 1, sizeof(*d->digest));
	if (d->state && d->digest)
		return d;
	btf_digests_free(d);
	errno = ENOMEM;
	return NULL;
}

void btf_digests_free(struct btf_digests *d)
{
	if (!d)
		return;
	free(d->state);
	free(d->digest);
	free(d);
}

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

static const struct btf_type *type_of(const struct btf_digests *d, __u32 id)
{
	return id && id < d->nr_types ? btf__type_by_id(d->btf, id) : NULL;
}

static bool has_name(const struct btf_digests *d, __u32 id)
{
	const struct btf_type *t = type_of(d, id);
	const char *name = t ? btf__name_by_offset(d->btf, t->name_off) : NULL;

	return name && *name;
}

static int type_digest(struct btf_digests *d, __u32 id, int depth, __u8 out[SHA256_DIGEST_SIZE]);

/* A type as a part of another: its digest, or (named_only) its kind and name. */
static int hash_part(struct btf_digests *d, struct sha256_ctx *h, __u32 id, int depth, bool named_only)
{
	const struct btf_type *t = type_of(d, id);
	__u8 digest[SHA256_DIGEST_SIZE];
	int err;

	if (!t) {
		hash_u32(h, ~0U); /* void, or an id this BTF does not have */
		return 0;
	}
	if (named_only) {
		hash_u32(h, btf_kind(t));
		hash_u32(h, btf_kflag(t));
		hash_name(h, d->btf, t->name_off);
		return 0;
	}
	err = type_digest(d, id, depth, digest);
	if (!err)
		sha256_update(h, digest, sizeof(digest));
	return err;
}

/* A modifier a pointer's target may wear before its type: const struct n *next. */
static bool is_modifier(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return true;
	default:
		return false;
	}
}

/*
 * What a pointer points to: its modifiers, then a named target by its kind
 * and name (a list links back to it, through const or not), an unnamed one
 * in full (it cannot refer back to itself).
 */
static int hash_pointee(struct btf_digests *d, struct sha256_ctx *h, __u32 id, int depth)
{
	const struct btf_type *t = type_of(d, id);

	for (int hops = 0; t && is_modifier(t) && hops < BTF_DIGEST_DEPTH; hops++) {
		hash_u32(h, btf_kind(t));
		hash_name(h, d->btf, t->name_off); /* a type tag's value */
		id = t->type;
		t = type_of(d, id);
	}
	return hash_part(d, h, id, depth, has_name(d, id));
}

/* What t is made of, beyond its kind and name. */
static int hash_body(struct btf_digests *d, struct sha256_ctx *h, const struct btf_type *t, int depth)
{
	int err = 0;

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		hash_u32(h, t->size);
		hash_u32(h, *(const __u32 *)(t + 1)); /* encoding, offset, bits */
		break;
	case BTF_KIND_FLOAT:
		hash_u32(h, t->size);
		break;
	case BTF_KIND_PTR:
		err = hash_pointee(d, h, t->type, depth);
		break;
	case BTF_KIND_ARRAY:
		hash_u32(h, btf_array(t)->nelems);
		err = hash_part(d, h, btf_array(t)->type, depth, false);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		hash_u32(h, t->size);
		hash_u32(h, btf_vlen(t));
		for (int i = 0; i < btf_vlen(t) && !err; i++) {
			const struct btf_member *m = btf_members(t) + i;

			hash_name(h, d->btf, m->name_off);
			hash_u32(h, m->offset); /* bit offset, and bitfield size with kflag */
			err = hash_part(d, h, m->type, depth, false);
		}
		break;
	case BTF_KIND_ENUM:
		hash_u32(h, t->size);
		hash_u32(h, btf_vlen(t));
		for (int i = 0; i < btf_vlen(t); i++) {
			hash_name(h, d->btf, btf_enum(t)[i].name_off);
			hash_u32(h, (__u32)btf_enum(t)[i].val);
		}
		break;
	case BTF_KIND_ENUM64:
		hash_u32(h, t->size);
		hash_u32(h, btf_vlen(t));
		for (int i = 0; i < btf_vlen(t); i++) {
			hash_name(h, d->btf, btf_enum64(t)[i].name_off);
			hash_u32(h, btf_enum64(t)[i].val_lo32);
			hash_u32(h, btf_enum64(t)[i].val_hi32);
		}
		break;
	case BTF_KIND_FUNC_PROTO:
		hash_u32(h, btf_vlen(t));
		err = hash_part(d, h, t->type, depth, false);
		for (int i = 0; i < btf_vlen(t) && !err; i++)
			err = hash_part(d, h, btf_params(t)[i].type, depth, false);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
		err = hash_part(d, h, t->type, depth, false);
		break;
	default: /* FWD (kind and name say it all), DATASEC, DECL_TAG */
		break;
	}
	return err;
}

static int type_digest(struct btf_digests *d, __u32 id, int depth, __u8 out[SHA256_DIGEST_SIZE])
{
	const struct btf_type *t = type_of(d, id);
	struct sha256_ctx h;
	int err;

	if (d->state[id] == DIGEST_DONE) {
		memcpy(out, d->digest[id], SHA256_DIGEST_SIZE);
		return 0;
	}
	if (d->state[id] == DIGEST_BUSY || depth >= BTF_DIGEST_DEPTH)
		return -ELOOP;
	err = sha256_init(&h);
	if (err)
		return err;
	d->state[id] = DIGEST_BUSY;
	hash_u32(&h, btf_kind(t));
	hash_u32(&h, btf_kflag(t));
	hash_name(&h, d->btf, t->name_off);
	err = hash_body(d, &h, t, depth + 1);
	/* Even after an error: it ends the context. */
	err = sha256_final(&h, out) ?: err;
	d->state[id] = err ? DIGEST_NONE : DIGEST_DONE;
	if (!err)
		memcpy(d->digest[id], out, SHA256_DIGEST_SIZE);
	return err;
}

int btf_digests_hash(struct btf_digests *d, __u32 id, struct sha256_ctx *h)
{
	return hash_part(d, h, id, 0, false);
}
