// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include "prog_maps.h"

__u32 prog_map_ids(int prog_fd, __u32 ids[PROG_MAX_MAPS])
{
	struct bpf_prog_info info = {
		.nr_map_ids = PROG_MAX_MAPS,
		.map_ids = (__u64)(unsigned long)ids,
	};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	/* The kernel says how many there are, and copies at most nr_map_ids. */
	return info.nr_map_ids < PROG_MAX_MAPS ? info.nr_map_ids : PROG_MAX_MAPS;
}

bool prog_uses_map(int prog_fd, __u32 map_id)
{
	__u32 ids[PROG_MAX_MAPS];
	__u32 nr = prog_map_ids(prog_fd, ids);

	for (__u32 i = 0; i < nr; i++)
		if (ids[i] == map_id)
			return true;
	return false;
}
