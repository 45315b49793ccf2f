// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "btf_func_index.h"
#include "kernel.h"
#include "kernel_func.h"
#include "kmod_util.h"

/* The loaded modules' BTF, read once per process: split BTF on top of vmlinux's. */
static struct module_btf {
	__u32 obj_id;
	char name[KMOD_NAME_MAX];
	struct btf *btf;
	struct btf_func_index *funcs; /* its own functions, above vmlinux's; NULL: scan */
	int fd;                       /* kept open: programs load against it */
} * modules;
static int nr_modules = -1; /* not read yet */

static int load_module_btfs(void)
{
	const struct btf *vmlinux = kernel_btf();
	__u32 id = 0;

	if (!vmlinux)
		return -errno;
	nr_modules = 0;
	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char name[KMOD_NAME_MAX] = "";
		struct module_btf *grown;
		struct btf *btf;
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone meanwhile */
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.kernel_btf ||
		    !strcmp(name, "vmlinux")) {
			close(fd);
			continue;
		}
		btf = btf__load_from_kernel_by_id_split(id, (struct btf *)vmlinux);
		grown = btf ? realloc(modules, (nr_modules + 1) * sizeof(*modules)) : NULL;
		if (!grown) {
			btf__free(btf);
			close(fd);
			continue;
		}
		modules = grown;
		modules[nr_modules].obj_id = id;
		memcpy(modules[nr_modules].name, name, sizeof(name));
		modules[nr_modules].btf = btf;
		modules[nr_modules].fd = fd;
		modules[nr_modules].funcs = btf_func_index_new(btf, btf__type_cnt(vmlinux));
		nr_modules++;
	}
	return 0;
}

/* The module BTFs, read on first need. */
static int ensure_module_btfs(void)
{
	return nr_modules < 0 ? load_module_btfs() : 0;
}

int kernel_func_find(const char *func, struct kernel_func *kf)
{
	int id, err;

	memset(kf, 0, sizeof(*kf));
	id = kernel_func_btf_id(func);
	if (id != -ENOENT) {
		if (id < 0)
			return id;
		kf->key = kernel_func_key(0, id);
		kf->btf_id = id;
		kf->btf = kernel_btf();
		return 0;
	}
	err = ensure_module_btfs();
	if (err)
		return err;
	for (int m = 0; m < nr_modules; m++) {
		id = modules[m].funcs ? btf_func_index_find(modules[m].funcs, func) :
					btf__find_by_name_kind(modules[m].btf, func, BTF_KIND_FUNC);
		if (id < 0)
			continue;
		kf->key = kernel_func_key(modules[m].obj_id, id);
		kf->btf_id = id;
		kf->btf = modules[m].btf;
		memcpy(kf->module, modules[m].name, sizeof(kf->module));
		return 0;
	}
	return -ENOENT;
}

int kernel_func_btf_obj_fd(__u64 key)
{
	__u32 obj_id = kernel_func_key_obj(key);
	int err;

	if (!obj_id)
		return 0;
	/* A key from a record (bpflp recover) comes without a kernel_func_find(). */
	err = ensure_module_btfs();
	if (err)
		return err;
	for (int m = 0; m < nr_modules; m++)
		if (modules[m].obj_id == obj_id)
			return modules[m].fd;
	return -ENOENT;
}
