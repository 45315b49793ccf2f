// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf_rodata.h"

void *bpf_rodata_var(struct bpf_object *obj, const char *var, size_t size)
{
	const struct btf_var_secinfo *vsi;
	struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map, *rodata = NULL;
	const struct btf_type *sec;
	size_t map_size;
	char *data;
	int id;

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (bpf_map__is_internal(map) && len >= 7 && !strcmp(name + len - 7, ".rodata"))
			rodata = map;
	}
	if (!btf || !rodata)
		return NULL;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return NULL;
	sec = btf__type_by_id(btf, id);
	/* The image is libbpf's writable mmap until load, as skeletons rely on. */
	data = (char *)(uintptr_t)bpf_map__initial_value(rodata, &map_size);
	if (!data)
		return NULL;
	vsi = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
		const struct btf_type *t = btf__type_by_id(btf, vsi->type);

		if (strcmp(btf__name_by_offset(btf, t->name_off), var))
			continue;
		if (vsi->size != size || vsi->offset + size > map_size)
			return NULL;
		return data + vsi->offset;
	}
	return NULL;
}
