// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include "dispatch_pins.h"
#include "dispatch_stub.h"
#include "kernel.h"
#include "kernel_func.h"
#include "store.h"

#define KIND_DIR "fmod_ret"

static int key_dir(char *buf, size_t size, __u64 key)
{
	int n = snprintf(buf, size, "%s/%016" PRIx64, STORE_DISPATCH, (uint64_t)key);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int dispatch_pin_dir(char *buf, size_t size, __u64 key)
{
	int n = snprintf(buf, size, "%s/%016" PRIx64 "/" KIND_DIR, STORE_DISPATCH, (uint64_t)key);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int pin_path(char *buf, size_t size, __u64 key, const char *what)
{
	char dir[PATH_MAX];
	int err = dispatch_pin_dir(dir, sizeof(dir), key), n;

	if (err)
		return err;
	n = snprintf(buf, size, "%s/%s", dir, what);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int open_pin(__u64 key, const char *what)
{
	char pin[PATH_MAX];

	return pin_path(pin, sizeof(pin), key, what) ? -1 : bpf_obj_get(pin);
}

int dispatch_pins_open(__u64 key, struct pinned_stub *ps)
{
	char dir[PATH_MAX];

	ps->array_fd = ps->prog_fd = ps->link_fd = -1;
	if (dispatch_pin_dir(dir, sizeof(dir), key) || access(dir, F_OK))
		return -ENOENT;
	ps->array_fd = open_pin(key, "array");
	ps->prog_fd = open_pin(key, "prog");
	ps->link_fd = open_pin(key, "link");
	return 0;
}

void dispatch_pins_close(struct pinned_stub *ps)
{
	int *fds[] = { &ps->array_fd, &ps->prog_fd, &ps->link_fd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static int make_dir(const char *path)
{
	return mkdir(path, 0700) && errno != EEXIST ? -errno : 0;
}

static int pin_fd(int fd, __u64 key, const char *what)
{
	char pin[PATH_MAX];
	int err = pin_path(pin, sizeof(pin), key, what);

	return err ?: bpf_obj_pin(fd, pin) ? -errno : 0;
}

int dispatch_pins_create(__u64 key, int state_fd, int snap_fd, struct pinned_stub *ps)
{
	struct dispatch_target t = { .func_key = key, .btf_id = (__u32)key };
	struct dispatch_stub stub;
	char dir[PATH_MAX];
	int err;

	ps->array_fd = ps->prog_fd = ps->link_fd = -1;
	t.btf_obj_fd = kernel_func_btf_obj_fd(key);
	if (t.btf_obj_fd < 0)
		return t.btf_obj_fd;
	err = key_dir(dir, sizeof(dir), key);
	err = err ?: make_dir(STORE_DISPATCH) ?: make_dir(dir);
	err = err ?: dispatch_pin_dir(dir, sizeof(dir), key) ?: make_dir(dir);
	err = err ?: dispatch_stub_load(&t, state_fd, snap_fd, &stub);
	if (err)
		return err;
	ps->array_fd = stub.array_fd;
	ps->prog_fd = stub.prog_fd;
	/* The array before the link: an attached stub always has its entries held. */
	err = pin_fd(ps->array_fd, key, "array") ?: pin_fd(ps->prog_fd, key, "prog");
	if (!err) {
		ps->link_fd = bpf_link_create(ps->prog_fd, 0, BPF_MODIFY_RETURN, NULL);
		err = ps->link_fd < 0 ? -errno : pin_fd(ps->link_fd, key, "link");
	}
	if (err) {
		dispatch_pins_close(ps);
		dispatch_pins_remove(key);
	}
	return err;
}

static int unpin(__u64 key, const char *what)
{
	char pin[PATH_MAX];
	int err = pin_path(pin, sizeof(pin), key, what);

	return err ?: unlink(pin) && errno != ENOENT ? -errno : 0;
}

int dispatch_pins_remove(__u64 key)
{
	char dir[PATH_MAX];
	int err;

	err = unpin(key, "link") ?: unpin(key, "prog") ?: unpin(key, "array");
	if (!err && !dispatch_pin_dir(dir, sizeof(dir), key) && rmdir(dir) && errno != ENOENT)
		err = -errno;
	if (!err && !key_dir(dir, sizeof(dir), key) && rmdir(dir) && errno != ENOENT)
		err = -errno;
	/* The last stub takes the directory with it (the tree stays as it was without stubs). */
	if (!err)
		rmdir(STORE_DISPATCH);
	return err;
}

int dispatch_pins_list(__u64 *keys, int max)
{
	DIR *d = opendir(STORE_DISPATCH);
	struct dirent *de;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char *end;
		unsigned long long key;

		if (de->d_name[0] == '.')
			continue;
		errno = 0;
		key = strtoull(de->d_name, &end, 16);
		/* Only names this file makes: anything else is not a stub. */
		if (errno || *end || strlen(de->d_name) != 16)
			continue;
		if (n < max)
			keys[n] = key;
		n++;
	}
	closedir(d);
	return n;
}

__u32 dispatch_entry_id(int array_fd, __u32 side)
{
	__u32 id = 0;

	/* A program array answers a lookup with the id of the program in it. */
	if (bpf_map_lookup_elem(array_fd, &side, &id))
		return 0;
	return id;
}

int dispatch_entry_set(int array_fd, __u32 side, int prog_fd)
{
	__u32 value = (__u32)prog_fd;

	if (prog_fd < 0)
		return bpf_map_delete_elem(array_fd, &side) && errno != ENOENT ? -errno : 0;
	return bpf_map_update_elem(array_fd, &side, &value, BPF_ANY) ? -errno : 0;
}
