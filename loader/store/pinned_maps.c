// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include "pinned_maps.h"
#include "prog_maps.h"
#include "store.h"
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

/* visit() each map of the program pinned at path; its first non-zero return. */
static int visit_pinned_prog_maps(const char *path,
				  int (*visit)(int fd, const struct bpf_map_info *info, void *ctx),
				  void *ctx)
{
	__u32 map_ids[PROG_MAX_MAPS], nr = pinned_prog_map_ids(path, map_ids);
	int ret = 0;

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
	return ret;
}

/* The pins of dir that named() accepts, visited as for_each_pinned_prog_map() says. */
static int for_each_prog_map_named(const char *dir, bool (*named)(const char *name),
				   int (*visit)(int fd, const struct bpf_map_info *info, void *ctx),
				   void *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return -errno;
	while (!ret && (de = readdir(d)))
		if (named(de->d_name) && !try_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name))
			ret = visit_pinned_prog_maps(path, visit, ctx);
	closedir(d);
	return ret;
}

static bool is_prog_pin(const char *name)
{
	size_t n = strlen(name);

	return n >= 6 && !strcmp(name + n - 5, "_prog");
}

static bool is_commit_pin(const char *name)
{
	return !strncmp(name, STORE_COMMIT_PIN_PREFIX, strlen(STORE_COMMIT_PIN_PREFIX));
}

int for_each_pinned_prog_map(const char *dir,
			     int (*visit)(int fd, const struct bpf_map_info *info, void *ctx),
			     void *ctx)
{
	return for_each_prog_map_named(dir, is_prog_pin, visit, ctx);
}

int for_each_commit_pin_map(int (*visit)(int fd, const struct bpf_map_info *info, void *ctx),
			    void *ctx)
{
	return for_each_prog_map_named(STORE_ROOT, is_commit_pin, visit, ctx);
}
