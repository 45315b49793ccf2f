// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "prog_counters.h"
#include "prog_maps.h"

/* The program's full name, from its BTF (the kernel's name for it is cut at 15 characters). */
static int prog_btf_name(int prog_fd, char *name, size_t size)
{
	struct bpf_func_info fi = {};
	struct bpf_prog_info info = {
		.nr_func_info = 1,
		.func_info_rec_size = sizeof(fi),
		.func_info = (__u64)(unsigned long)&fi,
	};
	__u32 len = sizeof(info);
	const struct btf_type *t;
	struct btf *btf;
	int err = -ENOENT;

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	if (!info.btf_id || !info.nr_func_info)
		return -ENOENT;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	t = btf__type_by_id(btf, fi.type_id);
	if (t && btf_is_func(t) &&
	    snprintf(name, size, "%s", btf__name_by_offset(btf, t->name_off)) < (int)size)
		err = 0;
	btf__free(btf);
	return err;
}

/* The u32 variable var in the rodata map fd, whose info is info; -ENOENT if it has none. */
static int rodata_u32(int fd, const struct bpf_map_info *info, const char *var, __u32 *out)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct btf *btf;
	char *value;
	int off = -1, err = -ENOENT;
	__u32 key = 0;

	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return -errno;
	sec = btf__type_by_id(btf, info->btf_value_type_id);
	for (int i = 0; sec && btf_is_datasec(sec) && i < btf_vlen(sec) && off < 0; i++) {
		vs = btf_var_secinfos(sec) + i;
		if (vs->size == sizeof(*out) &&
		    !strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, vs->type)->name_off), var))
			off = (int)vs->offset;
	}
	btf__free(btf);
	if (off < 0 || off + sizeof(*out) > info->value_size)
		return -ENOENT;
	value = malloc(info->value_size);
	if (value && !bpf_map_lookup_elem(fd, &key, value)) {
		memcpy(out, value + off, sizeof(*out));
		err = 0;
	}
	free(value);
	return err;
}

int prog_counters(int prog_fd, int *stats_fd, __u32 *idx)
{
	char name[128], var[160];
	__u32 ids[PROG_MAX_MAPS], nr;
	bool found_idx = false;
	int err;

	*stats_fd = -1;
	err = prog_btf_name(prog_fd, name, sizeof(name));
	if (err)
		return err;
	snprintf(var, sizeof(var), "bpflp_idx_%s", name);
	nr = prog_map_ids(prog_fd, ids);
	for (__u32 i = 0; i < nr; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(ids[i]);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			close(fd);
			continue;
		}
		if (*stats_fd < 0 && !strcmp(info.name, "bpflp_stats")) {
			*stats_fd = fd;
			continue;
		}
		if (!found_idx && info.btf_id && strstr(info.name, ".rodata"))
			found_idx = !rodata_u32(fd, &info, var, idx);
		close(fd);
	}
	if (*stats_fd >= 0 && found_idx)
		return 0;
	if (*stats_fd >= 0)
		close(*stats_fd);
	*stats_fd = -1;
	return -ENOENT;
}
