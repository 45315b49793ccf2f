// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_func_index.h"

/* Open addressing, at most half full. */
struct btf_func_index {
	size_t mask; /* slots - 1, slots a power of two */
	struct slot {
		const char *name; /* NULL: empty */
		__u32 id;
	} * slots;
};

/* FNV-1a */
static size_t name_hash(const char *name)
{
	size_t h = 14695981039346656037ULL;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ULL;
	return h;
}

static struct slot *find_slot(const struct btf_func_index *idx, const char *name)
{
	size_t i = name_hash(name) & idx->mask;

	while (idx->slots[i].name && strcmp(idx->slots[i].name, name))
		i = (i + 1) & idx->mask;
	return &idx->slots[i];
}

struct btf_func_index *btf_func_index_new(const struct btf *btf, __u32 first_id)
{
	__u32 end = btf__type_cnt(btf), nr = 0;
	struct btf_func_index *idx;
	size_t slots = 16;

	for (__u32 id = first_id; id < end; id++)
		nr += btf_is_func(btf__type_by_id(btf, id));
	while (slots < 2 * (size_t)nr)
		slots *= 2;
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return NULL;
	idx->mask = slots - 1;
	idx->slots = calloc(slots, sizeof(*idx->slots));
	if (!idx->slots) {
		free(idx);
		return NULL;
	}
	for (__u32 id = first_id; id < end; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;
		struct slot *s;

		if (!btf_is_func(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (!name || !*name)
			continue;
		s = find_slot(idx, name);
		if (!s->name) { /* ids go up: a name seen before keeps its lower id */
			s->name = name;
			s->id = id;
		}
	}
	return idx;
}

void btf_func_index_free(struct btf_func_index *idx)
{
	if (!idx)
		return;
	free(idx->slots);
	free(idx);
}

int btf_func_index_find(const struct btf_func_index *idx, const char *func)
{
	const struct slot *s = find_slot(idx, func);

	return s->name ? (int)s->id : -ENOENT;
}
