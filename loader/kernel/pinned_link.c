// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "pinned_link.h"
#include "store.h"

int attach_pinned(const char *dir, const char *func, const char *prog_what, const char *link_what,
		  enum bpf_attach_type type)
{
	char prog_pin[PATH_MAX], link_pin[PATH_MAX];
	int prog_fd, link_fd, err;

	err = store_pin_path(prog_pin, sizeof(prog_pin), dir, func, prog_what) ?:
		      store_pin_path(link_pin, sizeof(link_pin), dir, func, link_what);
	if (err)
		return err;
	prog_fd = bpf_obj_get(prog_pin);
	if (prog_fd < 0)
		return -errno;
	/* Tracing programs carry their target from load: no target fd. */
	link_fd = bpf_link_create(prog_fd, 0, type, NULL);
	err = link_fd < 0 ? -errno : 0;
	if (!err && bpf_obj_pin(link_fd, link_pin))
		err = -errno;
	if (link_fd >= 0)
		close(link_fd); /* the pin keeps it attached */
	close(prog_fd);
	return err;
}
