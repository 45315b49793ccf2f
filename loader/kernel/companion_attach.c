// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "bpflp/companion.h"
#include "companion_attach.h"
#include "pins.h"
#include "store.h"

/* The identity ioctl on an open device: 0, -EPROTO (not bpflp's), or -errno. */
static int ident_fd(int fd, struct bpflp_companion_ident *ident)
{
	memset(ident, 0, sizeof(*ident));
	if (ioctl(fd, BPFLP_COMPANION_IOC_IDENT, ident))
		return errno == ENOTTY || errno == EINVAL || errno == EFAULT ? -EPROTO : -errno;
	ident->version[sizeof(ident->version) - 1] = '\0';
	return ident->magic == BPFLP_COMPANION_MAGIC ? 0 : -EPROTO;
}

int companion_identify(struct bpflp_companion_ident *ident)
{
	struct stat st;
	int fd, err;

	fd = open(BPFLP_COMPANION_DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = fstat(fd, &st) ? -errno : S_ISCHR(st.st_mode) ? ident_fd(fd, ident) : -EPROTO;
	close(fd);
	return err;
}

/*
 * The device, if bpflp's module answers on it: a module of that name that
 * is not bpflp's runs nothing of bpflp's (-EPROTO), and is not sent its ioctls.
 */
static int open_device(int flags)
{
	struct bpflp_companion_ident ident;
	int fd = open(BPFLP_COMPANION_DEV, flags | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = ident_fd(fd, &ident);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int pinned_prog_id(const char *pin, __u32 *id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	fd = bpf_obj_get(pin);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	*id = info.id;
	return err;
}

int companion_attach_pinned(const char *dir, const char *func)
{
	char prog_pin[PATH_MAX], drop_pin[PATH_MAX];
	struct bpflp_companion_attach arg;
	int dev, prog_fd = -1, drop_fd = -1, err;

	err = store_pin_path(prog_pin, sizeof(prog_pin), dir, func,
			     pin_of_kind(BPFLP_KIND_REPLACE, true)->prog) ?:
		      store_pin_path(drop_pin, sizeof(drop_pin), dir, func, pin_drop.prog);
	if (err)
		return err;
	dev = open_device(O_RDWR);
	if (dev < 0)
		return dev;
	prog_fd = bpf_obj_get(prog_pin);
	drop_fd = bpf_obj_get(drop_pin);
	if (prog_fd < 0 || drop_fd < 0) {
		err = -errno;
		goto out;
	}
	arg.prog_fd = prog_fd;
	arg.drop_fd = drop_fd;
	if (ioctl(dev, BPFLP_COMPANION_IOC_ATTACH, &arg))
		err = -errno;
out:
	if (prog_fd >= 0)
		close(prog_fd);
	if (drop_fd >= 0)
		close(drop_fd);
	close(dev);
	return err;
}

int companion_detach_pin(const char *prog_pin)
{
	__u32 id;
	int err;

	err = pinned_prog_id(prog_pin, &id);
	if (err)
		return err == -ENOENT ? 0 : err;
	return companion_detach_id(id);
}

int companion_list(struct companion_entry *entries, int max)
{
	struct companion_entry e;
	char line[512];
	int fd, nr = 0;
	FILE *f;

	fd = open_device(O_RDONLY);
	if (fd == -ENOENT || fd == -EPROTO)
		return 0; /* no module, or not bpflp's: nothing of bpflp's runs there */
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (fgets(line, sizeof(line), f) && nr < max) {
		unsigned long long calls, overrides;

		if (sscanf(line, "%u %u %63s %llu %llu", &e.prog_id, &e.drop_id, e.func, &calls,
			   &overrides) != 5)
			continue;
		e.calls = calls;
		e.overrides = overrides;
		entries[nr++] = e;
	}
	fclose(f);
	return nr;
}

static struct companion_entry listing[BPFLP_COMPANION_MAX_ATTACH];

int companion_pin_attached(const char *prog_pin)
{
	__u32 id;
	int nr, err;

	err = pinned_prog_id(prog_pin, &id);
	if (err)
		return err;
	nr = companion_list(listing, BPFLP_COMPANION_MAX_ATTACH);
	for (int i = 0; i < nr; i++)
		if (listing[i].prog_id == id)
			return 1;
	return nr < 0 ? nr : 0;
}

int companion_nr_attached(void)
{
	return companion_list(listing, BPFLP_COMPANION_MAX_ATTACH);
}

int companion_detach_id(__u32 prog_id)
{
	struct bpflp_companion_detach arg = { .prog_id = prog_id };
	int dev, err = 0;

	dev = open_device(O_RDWR);
	if (dev == -ENOENT || dev == -EPROTO)
		return 0;
	if (dev < 0)
		return dev;
	if (ioctl(dev, BPFLP_COMPANION_IOC_DETACH, &arg))
		err = errno == ENOENT ? 0 : -errno;
	close(dev);
	return err;
}
