// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "pinned_maps.h"
#include "prog_maps.h"
#include "util.h"

/* The maps of the program pinned at path: up to PROG_MAX_MAPS ids, or 0. */
static __u32 pinned_prog_map_ids(const char *path, __u32 *map_ids)
{
	int fd = bpf_obj_get(path);
	__u32 nr;

	if (fd < 0)
		return 0;
	nr = prog_map_ids(fd, map_ids);
	close(fd);
	return nr;
}

int for_each_pinned_prog_map(const char *dir,
			     int (*visit)(int fd, const struct bpf_map_info *info, void *ctx),
			     void *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		__u32 map_ids[PROG_MAX_MAPS], nr;
		size_t n = strlen(de->d_name);

		if (n < 6 || strcmp(de->d_name + n - 5, "_prog") ||
		    try_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		nr = pinned_prog_map_ids(path, map_ids);
		for (__u32 i = 0; !ret && i < nr; i++) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);
			int fd = bpf_map_get_fd_by_id(map_ids[i]);

			if (fd < 0)
				continue;
			if (!bpf_obj_get_info_by_fd(fd, &info, &len))
				ret = visit(fd, &info, ctx);
			close(fd);
		}
	}
	closedir(d);
	return ret;
}
