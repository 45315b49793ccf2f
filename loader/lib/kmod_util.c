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

int modinfo_walk(struct kmod_ctx *ctx, const char *path, char *name, size_t name_size,
		 modinfo_field_fn field, void *arg)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *mod = NULL;
	int err;

	err = kmod_module_new_from_path(ctx, path, &mod);
	if (err)
		return err;
	if (name)
		snprintf(name, name_size, "%s", kmod_module_get_name(mod));
	err = kmod_module_get_info(mod, &list);
	if (err >= 0) {
		err = 0;
		kmod_list_foreach(l, list)
			field(kmod_module_info_get_key(l), kmod_module_info_get_value(l) ?: "", arg);
		kmod_module_info_free_list(list);
	}
	kmod_module_unref(mod);
	return err;
}

void vermagic_release(const char *vermagic, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)strcspn(vermagic, " "), vermagic);
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
