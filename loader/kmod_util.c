// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <libkmod.h>
#include "kmod_util.h"
#include "log.h"
#include "util.h"

static void kmod_log(void *data, int priority, const char *file, int line, const char *fn,
		     const char *fmt, va_list args)
{
	char msg[512];

	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	vsnprintf(msg, sizeof(msg), fmt, args);
	pr_debug("libkmod: %s", msg);
}

struct kmod_ctx *kmod_ctx_open(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (!ctx) {
		errno = errno ?: ENOMEM;
		return NULL;
	}
	kmod_set_log_fn(ctx, kmod_log, NULL);
	return ctx;
}

int kernel_release(char *release, size_t size)
{
	struct utsname u;

	if (uname(&u))
		return -errno;
	return try_snprintf(release, size, "%s", u.release);
}

int read_first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		err = ferror(f) ? -EIO : -ENODATA;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}
