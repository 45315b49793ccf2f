// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach_target.h"
#include "kernel_func.h"
#include "log.h"
#include "util.h"

/* libbpf's last step before it loads a patch program: its target, as bpflp found it. */
static int set_attach_target(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	const char *func = strchr(bpf_program__section_name(prog), '/');
	struct kernel_func kf;
	int err, fd = 0;

	(void)cookie;
	if (!func || !func[1])
		return -EINVAL;
	err = kernel_func_find(func + 1, &kf);
	if (!err) {
		fd = kernel_func_btf_obj_fd(kf.key);
		err = fd < 0 ? fd : 0;
	}
	if (err) {
		pr_debug("no target for program %s: %s\n", bpf_program__name(prog), strerror(-err));
		return err;
	}
	opts->attach_btf_id = kf.btf_id;
	opts->attach_btf_obj_fd = fd;
	opts->attach_prog_fd = 0; /* attach_target_skip_vmlinux_btf's mark */
	return 0;
}

static const struct {
	const char *sec;
	enum bpf_attach_type type;
} kinds[] = {
	{ "fentry/", BPF_TRACE_FENTRY },
	{ "fexit/", BPF_TRACE_FEXIT },
	{ "fmod_ret/", BPF_MODIFY_RETURN },
};
static bool handled[ARRAY_SIZE(kinds)];

/* The dispatch stub being loaded: its target, as bpflp found it (attach_target_stub()). */
static struct {
	__u32 btf_id;
	int btf_obj_fd;
} stub_target;
static bool stub_handled;

static int set_stub_target(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	(void)prog;
	(void)cookie;
	if (!stub_target.btf_id)
		return -EINVAL;
	opts->attach_btf_id = stub_target.btf_id;
	opts->attach_btf_obj_fd = stub_target.btf_obj_fd;
	opts->attach_prog_fd = 0; /* attach_target_skip_vmlinux_btf's mark */
	return 0;
}

void attach_target_handlers(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, opts, .prog_prepare_load_fn = set_attach_target);
	LIBBPF_OPTS(libbpf_prog_handler_opts, stub_opts, .prog_prepare_load_fn = set_stub_target);
	static bool registered;

	if (registered)
		return;
	registered = true;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		handled[i] = libbpf_register_prog_handler(kinds[i].sec, BPF_PROG_TYPE_TRACING,
							  kinds[i].type, &opts) >= 0;
		if (!handled[i])
			pr_debug("libbpf looks up %s targets itself: %s\n", kinds[i].sec,
				 strerror(errno));
	}
	stub_handled = libbpf_register_prog_handler(ATTACH_TARGET_STUB_SEC, BPF_PROG_TYPE_TRACING,
						    BPF_MODIFY_RETURN, &stub_opts) >= 0;
	if (!stub_handled)
		pr_debug("no dispatch stub can load: %s\n", strerror(errno));
}

int attach_target_stub(__u32 btf_id, int btf_obj_fd)
{
	attach_target_handlers();
	if (!stub_handled)
		return -EOPNOTSUPP;
	stub_target.btf_id = btf_id;
	stub_target.btf_obj_fd = btf_obj_fd;
	return 0;
}

void attach_target_skip_vmlinux_btf(struct bpf_program *prog)
{
	/* Not a descriptor: EBADF, should it ever reach the kernel. */
	bpf_program__set_attach_target(prog, INT_MAX, NULL);
}

void attach_target_skip_vmlinux_btf_all(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		const char *sec = bpf_program__section_name(prog);

		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			if (handled[i] && !strncmp(sec, kinds[i].sec, strlen(kinds[i].sec)))
				attach_target_skip_vmlinux_btf(prog);
	}
}
