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
#include "pins.h"
#include "store.h"
#include "teardown.h"
#include "util.h"

int teardown_patch_dir(const char *dir, bool keep_meta)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	/* Unpinning a link drops its last reference, which detaches it (pins.h: the passes). */
	for (int pass = 0; pass < PIN_DETACH_PASSES; pass++) {
		d = opendir(dir);
		if (!d)
			return errno == ENOENT ? 0 : -errno;
		while ((de = readdir(d))) {
			/* With the links: the module's attachment of a companion-route program. */
			bool detach = pass == pin_of_kind(BPFLP_KIND_REPLACE, true)->detach_pass &&
				      pin_companion_attachable(de->d_name);

			if (de->d_name[0] == '.' || (pin_detach_pass(de->d_name) != pass && !detach))
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
