// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "state_dir.h"
#include "util.h"

int state_dir_path(char *buf, size_t size, const char *sub)
{
	const char *dir = getenv("BPFLP_STATE_DIR");

	if (!dir || !*dir)
		dir = DEFAULT_STATE_DIR;
	if (dir[0] != '/')
		return -EINVAL;
	return try_snprintf(buf, size, "%s/%s", dir, sub);
}

int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	if (try_snprintf(tmp, sizeof(tmp), "%s", path))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}
