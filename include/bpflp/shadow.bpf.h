/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow variables, as klp_shadow has them: data attached to a kernel
 * object, keyed by the object's address and a numeric id.
 *
 *	struct rl { __u64 count; };
 *	BPFLP_SHADOW(rate, struct rl, 4096);
 *
 *	struct rl *r = bpflp_shadow_get_or_alloc(rate, task, 0, bpflp_shadow_no_ctor, NULL);
 *
 * Each BPFLP_SHADOW is a hash map the loader pins at
 * /sys/fs/bpf/bpflp/shadow/NAME. A later cumulative patch declaring the
 * same NAME with the same value layout is loaded onto that very map, so
 * the commit switches to programs that find the data already in place. A
 * different layout needs BPFLP_SHADOW_MIGRATE, or the loader refuses it.
 *
 * Differences from klp_shadow, forced by BPF:
 *  - the constructor fills a zeroed copy on the stack, which is inserted
 *    only if the pair does not exist yet: two racing get_or_alloc calls may
 *    both run it, but one copy only becomes the shadow (so a constructor
 *    must not have side effects beyond the value), and values are limited
 *    to BPFLP_SHADOW_VALUE_MAX bytes (the stack);
 *  - the destructor is declared with the shadow (BPFLP_SHADOW_DTOR), not
 *    passed to each free: a BPF callback cannot take a function pointer.
 */
#ifndef BPFLP_SHADOW_BPF_H
#define BPFLP_SHADOW_BPF_H

#include <bpf/bpf_helpers.h>
#include "bpflp/abi.h"

#define BPFLP_SHADOW_VALUE_MAX 256

#ifndef BPF_ANY
#define BPF_ANY     0
#define BPF_NOEXIST 1
#endif

/* The constructor to pass when the zeroed value is the right start. */
static __always_inline int bpflp_shadow_no_ctor(void *obj, void *shadow, void *ctor_data)
{
	return 0;
}

static __always_inline void bpflp_shadow_no_dtor(void *obj, void *shadow)
{
}

/*
 * Declare shadow storage NAME holding value_type per (object, id), with a
 * destructor dtor(void *obj, value_type *shadow) run by free and free_all.
 */
#define BPFLP_SHADOW_DTOR(name, value_type, max, dtor)                                             \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_HASH);                                                   \
		__uint(max_entries, max);                                                          \
		__type(key, struct bpflp_shadow_key);                                              \
		__type(value, value_type);                                                         \
	} bpflp_shadow_##name SEC(".maps");                                                        \
	typedef value_type bpflp_shadow_##name##_t;                                                \
	_Static_assert(sizeof(value_type) <= BPFLP_SHADOW_VALUE_MAX,                               \
		       "shadow " #name ": value larger than BPFLP_SHADOW_VALUE_MAX");              \
	static __always_inline void bpflp_shadow_##name##_dtor(void *obj, void *shadow)            \
	{                                                                                          \
		dtor(obj, shadow);                                                                 \
	}                                                                                          \
	/* free_all's per-entry step: bpf_for_each_map_elem calls it. */                           \
	static __attribute__((                                                                     \
		unused)) long bpflp_shadow_##name##_free_one(void *map,                            \
							     struct bpflp_shadow_key *key,         \
							     void *value, __u64 *id)               \
	{                                                                                          \
		if (key->id == *id) {                                                              \
			bpflp_shadow_##name##_dtor((void *)key->obj, value);                       \
			bpf_map_delete_elem(map, key);                                             \
		}                                                                                  \
		return 0;                                                                          \
	}

#define BPFLP_SHADOW(name, value_type, max)                                                        \
	BPFLP_SHADOW_DTOR(name, value_type, max, bpflp_shadow_no_dtor)

/* Parameters not named obj and id: they would replace the designators. */
#define ___bpflp_shadow_key(object, shadow_id)                                                     \
	((struct bpflp_shadow_key){ .obj = (__u64)(object), .id = (__u64)(shadow_id) })

/* klp_shadow_get: the shadow of (obj, id), or NULL. */
#define bpflp_shadow_get(name, obj, id)                                                            \
	({                                                                                         \
		struct bpflp_shadow_key ___k = ___bpflp_shadow_key(obj, id);                       \
		(bpflp_shadow_##name##_t *)bpf_map_lookup_elem(&bpflp_shadow_##name, &___k);       \
	})

/*
 * klp_shadow_alloc: create the shadow of (obj, id), built by
 * ctor(obj, shadow, ctor_data) (non-zero: nothing is created). NULL if it
 * already exists, the constructor failed or the map is full.
 */
#define bpflp_shadow_alloc(name, obj, id, ctor, ctor_data)                                         \
	({                                                                                         \
		struct bpflp_shadow_key ___k = ___bpflp_shadow_key(obj, id);                       \
		bpflp_shadow_##name##_t ___v = {};                                                 \
		void *___r = NULL;                                                                 \
		if (!ctor((void *)(obj), &___v, (ctor_data)) &&                                    \
		    !bpf_map_update_elem(&bpflp_shadow_##name, &___k, &___v, BPF_NOEXIST))         \
			___r = bpf_map_lookup_elem(&bpflp_shadow_##name, &___k);                   \
		(bpflp_shadow_##name##_t *)___r;                                                   \
	})

/*
 * klp_shadow_get_or_alloc: the existing shadow, or a new one; a shadow
 * inserted meanwhile by another CPU wins over ours.
 */
#define bpflp_shadow_get_or_alloc(name, obj, id, ctor, ctor_data)                                  \
	({                                                                                         \
		bpflp_shadow_##name##_t *___s = bpflp_shadow_get(name, obj, id);                   \
		if (!___s)                                                                         \
			___s = bpflp_shadow_alloc(name, obj, id, ctor, ctor_data);                 \
		if (!___s)                                                                         \
			___s = bpflp_shadow_get(name, obj, id);                                    \
		___s;                                                                              \
	})

/* klp_shadow_free: run the destructor on the shadow of (obj, id) and delete it. */
#define bpflp_shadow_free(name, obj, id)                                                           \
	({                                                                                         \
		struct bpflp_shadow_key ___k = ___bpflp_shadow_key(obj, id);                       \
		void *___s = bpf_map_lookup_elem(&bpflp_shadow_##name, &___k);                     \
		if (___s) {                                                                        \
			bpflp_shadow_##name##_dtor((void *)(obj), ___s);                           \
			bpf_map_delete_elem(&bpflp_shadow_##name, &___k);                          \
		}                                                                                  \
	})

/* klp_shadow_free_all: the same for every object's shadow with this id. */
#define bpflp_shadow_free_all(name, id)                                                            \
	({                                                                                         \
		__u64 ___id = (id);                                                                \
		bpf_for_each_map_elem(&bpflp_shadow_##name, bpflp_shadow_##name##_free_one,        \
				      &___id, 0);                                                  \
	})

/*
 * A migration from the layout old_type of shadow NAME (as the active
 * patches have it) to the one this patch declares. The body converts one
 * entry: it reads `old`, fills `new` (zeroed) and returns 0 to keep the
 * entry, non-zero to drop it. The loader runs it before the commit, with
 * the old patch still live, into this patch's fresh map, and once more
 * right after the commit for the entries created meanwhile (see
 * docs/authoring.md, "Migrating a shadow").
 *
 *	BPFLP_SHADOW_MIGRATE(rate, struct rl_v1, old, new)
 *	{
 *		new->count = old->count;
 *		return 0;
 *	}
 */
#define BPFLP_SHADOW_MIGRATE(name, old_type, old, new)                                             \
	struct {                                                                                   \
		__uint(type, BPF_MAP_TYPE_HASH);                                                   \
		__uint(max_entries, 1); /* the loader reuses the pinned map */                     \
		__type(key, struct bpflp_shadow_key);                                              \
		__type(value, old_type);                                                           \
	} bpflp_shadow_from_##name SEC(".maps");                                                   \
	static __always_inline int ____bpflp_migrate_##name(const old_type *old,                   \
							    bpflp_shadow_##name##_t *new);         \
	static long bpflp_migrate_one_##name(void *map, struct bpflp_shadow_key *key,              \
					     old_type *value, struct bpflp_migrate_args *args)     \
	{                                                                                          \
		bpflp_shadow_##name##_t ___new = {};                                               \
		if (____bpflp_migrate_##name(value, &___new))                                      \
			return 0;                                                                  \
		if (!bpf_map_update_elem(&bpflp_shadow_##name, key, &___new,                       \
					 args->catch_up ? BPF_NOEXIST : BPF_ANY))                  \
			args->converted++;                                                         \
		return 0;                                                                          \
	}                                                                                          \
	/* The callback context must be on the stack: copied in and out. */                        \
	SEC("syscall") int bpflp_migrate_##name(struct bpflp_migrate_args *args)                   \
	{                                                                                          \
		struct bpflp_migrate_args ___a = *args;                                            \
		bpf_for_each_map_elem(&bpflp_shadow_from_##name, bpflp_migrate_one_##name, &___a,  \
				      0);                                                          \
		args->converted = ___a.converted;                                                  \
		return 0;                                                                          \
	}                                                                                          \
	static __always_inline int ____bpflp_migrate_##name(const old_type *old,                   \
							    bpflp_shadow_##name##_t *new)

#endif /* BPFLP_SHADOW_BPF_H */
