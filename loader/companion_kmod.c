// SPDX-License-Identifier: GPL-2.0
/* TEMPORARY: replaced by the libkmod version. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "bpflp/companion.h"
#include "companion_kmod.h"
#include "output.h"

static int module_path(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("BPFLP_KMOD")) {
		snprintf(buf, size, "%s", getenv("BPFLP_KMOD"));
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	snprintf(buf, size, "%s/kmod/%s.ko", dirname(exe), BPFLP_COMPANION_MODULE);
	return 0;
}

bool companion_module_loaded(void)
{
	return !access("/sys/module/" BPFLP_COMPANION_MODULE, F_OK);
}

int companion_module_usable(char *why, size_t size)
{
	char path[PATH_MAX];

	if (companion_module_loaded())
		return 0;
	if (module_path(path, sizeof(path)) || access(path, R_OK)) {
		snprintf(why, size, "no companion module at %s", path);
		return -ENOENT;
	}
	return 0;
}

int companion_module_ensure_loaded(void)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (companion_module_loaded())
		return 0;
	module_path(path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		p_err("cannot load the companion module %s: %s", path, strerror(-err));
	return err;
}

int companion_module_release_if_unused(void)
{
	char buf[32] = "";
	FILE *f;

	f = fopen("/sys/module/" BPFLP_COMPANION_MODULE "/refcnt", "re");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	if (atoi(buf) != 0)
		return 0;
	if (syscall(SYS_delete_module, BPFLP_COMPANION_MODULE, O_NONBLOCK))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}
