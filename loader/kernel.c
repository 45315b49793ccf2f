// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "kernel.h"
#include "output.h"

#define ERROR_INJECTION_LIST "/sys/kernel/debug/error_injection/list"
#define SECURITY_PREFIX "security_"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static struct btf *vmlinux_btf;

int kernel_func_btf_id(const char *func)
{
	int id;

	if (!vmlinux_btf) {
		vmlinux_btf = btf__load_vmlinux_btf();
		if (!vmlinux_btf)
			return -errno;
	}
	id = btf__find_by_name_kind(vmlinux_btf, func, BTF_KIND_FUNC);
	return id < 0 ? -ENOENT : id;
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

int kernel_require_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	/* Tracing programs need CAP_BPF + CAP_PERFMON; bpffs pins and rlimits need CAP_SYS_ADMIN. */
	if (cap_in(data, CAP_SYS_ADMIN) && cap_in(data, CAP_BPF) && cap_in(data, CAP_PERFMON))
		return 0;
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
		char name[64] = "";
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

int kernel_count_tramp_links(const __u32 *btf_ids, int nr, int *counts)
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
			continue;	/* gone meanwhile */
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
		if (err || info.type != BPF_LINK_TYPE_TRACING ||
		    info.tracing.target_obj_id != vmlinux_id)
			continue;
		for (int i = 0; i < nr; i++)
			counts[i] += info.tracing.target_btf_id == btf_ids[i];
	}
	return errno == ENOENT ? 0 : -errno;
}
