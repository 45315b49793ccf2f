// SPDX-License-Identifier: GPL-2.0
/*
 * Take a patch directory down: detach what it attached, then unpin the rest.
 * It lives with the kernel adapters, not in the store, because the order is
 * a kernel rule (a take never stays attached without its drop) and a
 * companion-route program is detached through the companion module.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "companion_attach.h"
#include "store.h"
#include "teardown.h"
#include "util.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len >= slen && !strcmp(s + len - slen, suffix);
}

/*
 * Which pins go in which pass: drops are attached first (attach_patch,
 * snapshot_links.c) and go last, so a take never stays attached
 * without its drop. Takes, then the patch's
 * links, then drops, then programs and maps. Unpinning a link drops its
 * last reference, which detaches it.
 */
static int clear_pass(const char *name)
{
	if (ends_with(name, "__take_link"))
		return 0;
	if (ends_with(name, "__drop_link"))
		return 2;
	if (ends_with(name, "_link"))
		return 1;
	return 3;
}

int teardown_patch_dir(const char *dir, bool keep_meta)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	for (int pass = 0; pass < 4; pass++) {
		d = opendir(dir);
		if (!d)
			return errno == ENOENT ? 0 : -errno;
		while ((de = readdir(d))) {
			/* With the links: the module's attachment of a companion-route program. */
			bool detach = pass == 1 && ends_with(de->d_name, "__replace_prog");

			if (de->d_name[0] == '.' || (clear_pass(de->d_name) != pass && !detach))
				continue;
			if (keep_meta && !strcmp(de->d_name, "meta"))
				continue;
			if (try_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name))
				err = -ENAMETOOLONG;
			else if (detach)
				err = companion_detach_pin(path) ?: err;
			else if (unlink(path) && errno != ENOENT)
				err = -errno;
		}
		closedir(d);
	}
	if (!keep_meta)
		err = store_remove_meta(dir) ?: err;
	if (!keep_meta && rmdir(dir) && errno != ENOENT)
		err = -errno;
	return err;
}
