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
#include "util.h"

struct rodata_var {
	const char *name; /* in the object's BTF strings */
	__u32 id;         /* its BTF VAR */
	__u32 offset, size;
	char *data;       /* its section's image: libbpf's writable one, until load */
	size_t data_size; /* that image's size */
	bool ambiguous;   /* another variable has its name (statics of two units linked) */
};

struct bpf_rodata {
	struct rodata_var *vars; /* sorted by name */
	int nr_vars;
};

const char *const bpf_rodata_sections[BPF_RODATA_NR_SECTIONS] = { BPFLP_KNOB_SECTION, ".rodata" };

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct rodata_var *)a)->name, ((const struct rodata_var *)b)->name);
}

/*
 * The internal map of section sec_name: libbpf 1.1 finds an internal map
 * by its section's name, whatever name it gave the map (OBJ.rodata, with
 * OBJ cut from the object's name, dots and all).
 */
static struct bpf_map *section_map(struct bpf_object *obj, const char *sec_name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, sec_name);

	return map && bpf_map__is_internal(map) ? map : NULL;
}

/* Add the variables of section sec_name, if obj has it: 0 or -ENOMEM. */
static int index_section(struct bpf_rodata *rd, struct bpf_object *obj, const struct btf *btf,
			 const char *sec_name)
{
	struct bpf_map *map = section_map(obj, sec_name);
	int id = map ? btf__find_by_name_kind(btf, sec_name, BTF_KIND_DATASEC) : -ENOENT;
	const struct btf_var_secinfo *vsi;
	const struct btf_type *sec;
	struct rodata_var *vars;
	size_t data_size;
	char *data;

	if (id < 0)
		return 0;
	sec = btf__type_by_id(btf, id);
	data = (char *)(uintptr_t)bpf_map__initial_value(map, &data_size);
	if (!data)
		return 0;
	vars = realloc(rd->vars, (rd->nr_vars + btf_vlen(sec) + 1) * sizeof(*vars));
	if (!vars)
		return -ENOMEM;
	rd->vars = vars;
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *t = btf__type_by_id(btf, vsi->type);

		rd->vars[rd->nr_vars++] = (struct rodata_var){
			.name = btf__name_by_offset(btf, t->name_off),
			.id = vsi->type,
			.offset = vsi->offset,
			.size = vsi->size,
			.data = data,
			.data_size = data_size,
		};
	}
	return 0;
}

struct bpf_rodata *bpf_rodata_index(struct bpf_object *obj)
{
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_rodata *rd;
	int err = 0;

	if (!btf) {
		errno = ENOENT;
		return NULL;
	}
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return NULL;
	for (size_t i = 0; i < BPF_RODATA_NR_SECTIONS && !err; i++)
		err = index_section(rd, obj, btf, bpf_rodata_sections[i]);
	if (err || !rd->nr_vars) {
		bpf_rodata_free(rd);
		errno = err ? ENOMEM : ENOENT;
		return NULL;
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

	if (!v || v->size != size || v->offset + size > v->data_size)
		return NULL;
	return v->data + v->offset;
}

int bpf_rodata_var_id(const struct bpf_rodata *rd, const char *var)
{
	const struct rodata_var *v = lookup(rd, var);

	return v ? (int)v->id : -ENOENT;
}
