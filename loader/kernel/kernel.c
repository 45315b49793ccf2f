// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "btf_func_index.h"
#include "kernel.h"
#include "kmod_util.h"
#include "output.h"
#include "traceable_cache.h"
#include "util.h"

#define ERROR_INJECTION_LIST "/sys/kernel/debug/error_injection/list"
#define SECURITY_PREFIX      "security_"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static struct btf *vmlinux_btf;

const struct btf *kernel_btf(void)
{
	if (!vmlinux_btf)
		vmlinux_btf = btf__load_vmlinux_btf();
	return vmlinux_btf;
}

int kernel_func_btf_id(const char *func)
{
	static struct btf_func_index *funcs; /* built on first use, kept with vmlinux_btf */
	int id;

	if (!kernel_btf())
		return -errno;
	if (!funcs)
		funcs = btf_func_index_new(vmlinux_btf, 1);
	if (funcs)
		return btf_func_index_find(funcs, func);
	id = btf__find_by_name_kind(vmlinux_btf, func, BTF_KIND_FUNC);
	return id < 0 ? -ENOENT : id;
}

static const char *const filter_lists[] = {
	"/sys/kernel/tracing/available_filter_functions",
	"/sys/kernel/debug/tracing/available_filter_functions",
};

/* vmlinux functions ftrace can attach to, sorted; read once per process. */
static struct {
	bool loaded;
	int err; /* no list could be read: -errno */
	const char *source;
	char **names;
	size_t nr;
} traceable;

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_filter_list(FILE *f)
{
	char *line = NULL, **names;
	size_t cap = 0, alloc = 0;
	ssize_t len;
	int err = 0;

	while ((len = getline(&line, &cap, f)) > 0) {
		/* "func" (vmlinux) or "func [module]": both can be attached to. */
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (strchr(line, ' '))
			*strchr(line, ' ') = '\0';
		if (!line[0])
			continue;
		if (traceable.nr == alloc) {
			alloc = alloc ? 2 * alloc : 4096;
			names = realloc(traceable.names, alloc * sizeof(*names));
			if (!names) {
				err = -ENOMEM;
				break;
			}
			traceable.names = names;
		}
		traceable.names[traceable.nr] = strdup(line);
		if (!traceable.names[traceable.nr]) {
			err = -ENOMEM;
			break;
		}
		traceable.nr++;
	}
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	return err;
}

static void load_traceable(void)
{
	static char cached_source[PATH_MAX], *cached_names; /* kept: traceable.names point into it */
	char key[TRACEABLE_KEY_MAX], key_after[TRACEABLE_KEY_MAX];
	bool keyed;
	FILE *f = NULL;

	traceable.loaded = true;
	/* The copy of an earlier run, if this boot's modules are still the ones it saw. */
	keyed = !traceable_cache_key(key, sizeof(key));
	if (keyed && !traceable_cache_read(key, &cached_names, &traceable.names, &traceable.nr,
					   cached_source, sizeof(cached_source))) {
		traceable.err = 0;
		traceable.source = cached_source;
		return;
	}
	traceable.err = -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(filter_lists) && !f; i++) {
		f = fopen(filter_lists[i], "re");
		if (!f) {
			/* Report the first list's reason: that is where tracefs belongs. */
			if (i == 0)
				traceable.err = -errno;
			continue;
		}
		traceable.source = filter_lists[i];
	}
	if (!f)
		return;
	traceable.err = read_filter_list(f);
	fclose(f);
	if (!traceable.err && !traceable.nr)
		traceable.err = -ENODATA;
	if (traceable.err)
		return;
	qsort(traceable.names, traceable.nr, sizeof(*traceable.names), cmp_name);
	/* Kept only if no module came or went while the list was read. */
	if (keyed && !traceable_cache_key(key_after, sizeof(key_after)) && !strcmp(key, key_after))
		traceable_cache_write(key, traceable.source, traceable.names, traceable.nr);
}

int kernel_func_traceable(const char *func)
{
	if (!traceable.loaded)
		load_traceable();
	if (traceable.err)
		return traceable.err;
	return bsearch(&func, traceable.names, traceable.nr, sizeof(*traceable.names), cmp_name) !=
	       NULL;
}

const char *kernel_traceable_source(void)
{
	if (!traceable.loaded)
		load_traceable();
	return traceable.source ?: filter_lists[0];
}

bool kernel_func_modifiable(const char *func)
{
	char line[512], name[256];
	bool listed = false;
	FILE *f;

	if (!strncmp(func, SECURITY_PREFIX, strlen(SECURITY_PREFIX)))
		return true;
	f = fopen(ERROR_INJECTION_LIST, "r");
	if (!f)
		return false;
	while (!listed && fgets(line, sizeof(line), f))
		listed = sscanf(line, "%255s", name) == 1 && !strcmp(name, func);
	fclose(f);
	return listed;
}

static bool cap_in(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

/* 1 if this process may load and attach tracing programs, 0 if not, -errno if unknown. */
static int tracing_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	/* Tracing programs need CAP_BPF + CAP_PERFMON; bpffs pins and rlimits need CAP_SYS_ADMIN. */
	return cap_in(data, CAP_SYS_ADMIN) && cap_in(data, CAP_BPF) && cap_in(data, CAP_PERFMON);
}

bool kernel_have_caps(void)
{
	return tracing_caps() == 1;
}

int kernel_require_caps(void)
{
	int caps = tracing_caps();

	if (caps)
		return caps < 0 ? caps : 0;
	p_err("missing capabilities: bpflp needs CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON; run it as root");
	return -EPERM;
}

/* The id of vmlinux's BTF object, which tracing links to its functions name. */
static int vmlinux_btf_obj_id(__u32 *obj_id)
{
	__u32 id = 0;

	while (!bpf_btf_get_next_id(id, &id)) {
		struct bpf_btf_info info = {};
		__u32 len = sizeof(info);
		char name[KMOD_NAME_MAX] = "";
		int fd = bpf_btf_get_fd_by_id(id);

		if (fd < 0)
			continue;
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.kernel_btf &&
		    !strcmp(name, "vmlinux")) {
			close(fd);
			*obj_id = id;
			return 0;
		}
		close(fd);
	}
	return -ENOENT;
}

int kernel_count_tramp_links(const __u64 *keys, int nr, int *counts)
{
	__u32 vmlinux_id, id = 0;
	int err;

	memset(counts, 0, nr * sizeof(*counts));
	err = vmlinux_btf_obj_id(&vmlinux_id);
	if (err)
		return err;
	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue; /* gone meanwhile */
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
		if (err || info.type != BPF_LINK_TYPE_TRACING)
			continue;
		for (int i = 0; i < nr; i++) {
			__u32 obj = kernel_func_key_obj(keys[i]) ?: vmlinux_id;

			counts[i] += info.tracing.target_obj_id == obj &&
				     info.tracing.target_btf_id == (__u32)keys[i];
		}
	}
	return errno == ENOENT ? 0 : -errno;
}
