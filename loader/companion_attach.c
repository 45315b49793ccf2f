// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpflp/companion.h"
#include "companion_attach.h"
#include "store.h"

static int open_device(void)
{
	int fd = open(BPFLP_COMPANION_DEV, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int pinned_prog_id(const char *pin, __u32 *id)
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

	err = store_pin_path(prog_pin, sizeof(prog_pin), dir, func, "replace_prog") ?:
	      store_pin_path(drop_pin, sizeof(drop_pin), dir, func, "drop_prog");
	if (err)
		return err;
	dev = open_device();
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
	struct bpflp_companion_detach arg = {};
	int dev, err;

	err = pinned_prog_id(prog_pin, &arg.prog_id);
	if (err)
		return err == -ENOENT ? 0 : err;
	dev = open_device();
	if (dev == -ENOENT)
		return 0;	/* no module, nothing attached */
	if (dev < 0)
		return dev;
	if (ioctl(dev, BPFLP_COMPANION_IOC_DETACH, &arg))
		err = errno == ENOENT ? 0 : -errno;
	close(dev);
	return err;
}

/* Calls fn(prog_id, arg) for each attachment listed by the device; returns how many. */
static int for_each_attachment(void (*fn)(__u32 id, void *arg), void *arg)
{
	char line[512];
	int nr = 0;
	FILE *f;

	f = fopen(BPFLP_COMPANION_DEV, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int id;

		if (sscanf(line, "%u", &id) != 1)
			continue;
		if (fn)
			fn(id, arg);
		nr++;
	}
	fclose(f);
	return nr;
}

struct id_search {
	__u32 id;
	bool found;
};

static void match_id(__u32 id, void *arg)
{
	struct id_search *search = arg;

	if (id == search->id)
		search->found = true;
}

int companion_pin_attached(const char *prog_pin)
{
	struct id_search search = {};
	int err;

	err = pinned_prog_id(prog_pin, &search.id);
	if (err)
		return err;
	err = for_each_attachment(match_id, &search);
	return err < 0 ? err : search.found;
}

int companion_nr_attached(void)
{
	return for_each_attachment(NULL, NULL);
}
