// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "bpf_rodata.h"

struct rodata_var {
	const char *name; /* in the object's BTF strings */
	__u32 id;         /* its BTF VAR */
	__u32 offset, size;
	bool ambiguous; /* another variable has its name (statics of two units linked) */
};

struct bpf_rodata {
	char *data; /* libbpf's writable image of .rodata, until load */
	size_t data_size;
	struct rodata_var *vars; /* sorted by name */
	int nr_vars;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct rodata_var *)a)->name, ((const struct rodata_var *)b)->name);
}

/*
 * The section holding bpflp's variables: its own (BPFLP_KNOB_SECTION), or
 * .rodata in an object built by a header before it had one.
 */
static struct bpf_map *rodata_map(struct bpf_object *obj, const char **sec_name)
{
	struct bpf_map *map, *rodata = NULL;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (!bpf_map__is_internal(map))
			continue;
		if (!strcmp(name, BPFLP_KNOB_SECTION)) {
			*sec_name = BPFLP_KNOB_SECTION;
			return map;
		}
		if (len >= 7 && !strcmp(name + len - 7, ".rodata"))
			rodata = map;
	}
	*sec_name = ".rodata";
	return rodata;
}

struct bpf_rodata *bpf_rodata_index(struct bpf_object *obj)
{
	const struct btf_var_secinfo *vsi;
	struct btf *btf = bpf_object__btf(obj);
	const char *sec_name;
	struct bpf_map *map = rodata_map(obj, &sec_name);
	const struct btf_type *sec;
	struct bpf_rodata *rd;
	int id;

	id = btf && map ? btf__find_by_name_kind(btf, sec_name, BTF_KIND_DATASEC) : -ENOENT;
	if (id < 0) {
		errno = ENOENT;
		return NULL;
	}
	sec = btf__type_by_id(btf, id);
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return NULL;
	/* The image is libbpf's writable mmap until load, as skeletons rely on. */
	rd->data = (char *)(uintptr_t)bpf_map__initial_value(map, &rd->data_size);
	rd->vars = calloc(btf_vlen(sec) ?: 1, sizeof(*rd->vars));
	if (!rd->data || !rd->vars) {
		int err = rd->data ? ENOMEM : ENOENT;

		bpf_rodata_free(rd);
		errno = err;
		return NULL;
	}
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *t = btf__type_by_id(btf, vsi->type);

		rd->vars[rd->nr_vars++] = (struct rodata_var){
			.name = btf__name_by_offset(btf, t->name_off),
			.id = vsi->type,
			.offset = vsi->offset,
			.size = vsi->size,
		};
	}
	qsort(rd->vars, rd->nr_vars, sizeof(*rd->vars), by_name);
	for (int i = 1; i < rd->nr_vars; i++)
		if (!strcmp(rd->vars[i - 1].name, rd->vars[i].name))
			rd->vars[i - 1].ambiguous = rd->vars[i].ambiguous = true;
	return rd;
}

void bpf_rodata_free(struct bpf_rodata *rd)
{
	if (!rd)
		return;
	free(rd->vars);
	free(rd);
}

static const struct rodata_var *lookup(const struct bpf_rodata *rd, const char *var)
{
	struct rodata_var key = { .name = var };
	const struct rodata_var *v =
		rd ? bsearch(&key, rd->vars, rd->nr_vars, sizeof(key), by_name) : NULL;

	return v && !v->ambiguous ? v : NULL;
}

void *bpf_rodata_find(const struct bpf_rodata *rd, const char *var, size_t size)
{
	const struct rodata_var *v = lookup(rd, var);

	if (!v || v->size != size || v->offset + size > rd->data_size)
		return NULL;
	return rd->data + v->offset;
}

int bpf_rodata_var_id(const struct bpf_rodata *rd, const char *var)
{
	const struct rodata_var *v = lookup(rd, var);

	return v ? (int)v->id : -ENOENT;
}

void *bpf_rodata_var(struct bpf_object *obj, const char *var, size_t size)
{
	struct bpf_rodata *rd = bpf_rodata_index(obj);
	void *p = bpf_rodata_find(rd, var, size);

	bpf_rodata_free(rd);
	return p;
}
