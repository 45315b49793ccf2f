// SPDX-License-Identifier: GPL-2.0
/*
 * How many argument registers this kernel's BPF trampolines take, asked of
 * the kernel instead of read from its release: x86-64 took 6 before Linux
 * 6.6 and 12 since, but a distribution kernel may carry the change back,
 * or not. The question is one empty fentry program attached for a moment
 * to a traceable function of 7 scalar arguments: a kernel limited to 6
 * refuses to build that trampoline with ENOTSUPP.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "func_proto.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#define TRAMPOLINE_ARGS_BEFORE_6_6 6
#define TRAMPOLINE_ARGS_MAX        12 /* the kernel's MAX_BPF_FUNC_ARGS */
#define PROBE_NR_ARGS              (TRAMPOLINE_ARGS_BEFORE_6_6 + 1)
#define PROBE_MAX_FUNCS            4 /* candidates tried before giving up */

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's own "not supported", absent from userspace's errno.h */
#endif

/* The rule the probe replaces: 6 before Linux 6.6, 12 since. */
static int limit_from_release(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return TRAMPOLINE_ARGS_BEFORE_6_6;
	return major > 6 || (major == 6 && minor >= 6) ? TRAMPOLINE_ARGS_MAX :
							 TRAMPOLINE_ARGS_BEFORE_6_6;
}

/*
 * A function to probe with: PROBE_NR_ARGS scalars or pointers, traceable,
 * and not part of the BPF or tracing machinery the attach itself runs.
 */
static bool probe_candidate(const struct btf *btf, int id, const char **name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!btf_is_func(t) || !func_proto_scalar_args(btf, id, PROBE_NR_ARGS))
		return false;
	*name = btf__name_by_offset(btf, t->name_off);
	return *name && !strstr(*name, "bpf") && !strstr(*name, "trace") &&
	       !strstr(*name, "poke") && kernel_func_traceable(*name) != 0;
}

/* Attach an empty fentry program to BTF function id and detach it: 0 or -errno. */
static int attach_empty_fentry(int id)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);
	int prog_fd, link_fd, err;

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bpflp_nr_args", "GPL", insns,
				ARRAY_SIZE(insns), &opts);
	if (prog_fd < 0)
		return -errno;
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_FENTRY, NULL);
	err = link_fd < 0 ? -errno : 0;
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}

/* The limit the kernel shows, or -errno and why (one phrase) when it shows none. */
static int probe_limit(char *why, size_t size)
{
	const struct btf *btf = kernel_btf();
	const char *name;
	int tries = 0, err;

	if (!kernel_have_caps()) {
		snprintf(why, size, "not root");
		return -EPERM;
	}
	if (!btf) {
		snprintf(why, size, "no vmlinux BTF");
		return -ENOENT;
	}
	snprintf(why, size, "no traceable function of %d scalar arguments", PROBE_NR_ARGS);
	for (__u32 id = 1; id < btf__type_cnt(btf) && tries < PROBE_MAX_FUNCS; id++) {
		if (!probe_candidate(btf, id, &name))
			continue;
		tries++;
		err = attach_empty_fentry(id);
		if (!err || err == -ENOTSUPP) {
			pr_debug("an fentry program on %s (%d arguments) %s\n", name, PROBE_NR_ARGS,
				 err ? "refused with ENOTSUPP" : "attached");
			return err ? TRAMPOLINE_ARGS_BEFORE_6_6 : TRAMPOLINE_ARGS_MAX;
		}
		snprintf(why, size, "an fentry program on %s: %s", name, strerror(-err));
		if (err == -EPERM || err == -EACCES)
			break; /* this kernel lets no tracing program load: any function would say so */
	}
	return -ENOENT;
}

const struct trampoline_limit *kernel_trampoline_limit(void)
{
	static struct trampoline_limit limit;
	char why[256];
	int max_args;

	if (limit.max_args)
		return &limit;
	max_args = probe_limit(why, sizeof(why));
	limit.probed = max_args > 0;
	limit.max_args = limit.probed ? max_args : limit_from_release();
	if (limit.probed)
		pr_debug("BPF trampolines take at most %d argument registers (probed)\n",
			 limit.max_args);
	else
		pr_debug("cannot probe how many argument registers BPF trampolines take (%s): assuming %d from the kernel release\n",
			 why, limit.max_args);
	return &limit;
}
