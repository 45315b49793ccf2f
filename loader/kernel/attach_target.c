// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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
	return 0;
}

void attach_target_handlers(void)
{
	static const struct {
		const char *sec;
		enum bpf_attach_type type;
	} kinds[] = {
		{ "fentry/", BPF_TRACE_FENTRY },
		{ "fexit/", BPF_TRACE_FEXIT },
		{ "fmod_ret/", BPF_MODIFY_RETURN },
	};
	LIBBPF_OPTS(libbpf_prog_handler_opts, opts, .prog_prepare_load_fn = set_attach_target);
	static bool registered;

	if (registered)
		return;
	registered = true;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (libbpf_register_prog_handler(kinds[i].sec, BPF_PROG_TYPE_TRACING, kinds[i].type,
						 &opts) < 0)
			pr_debug("libbpf looks up %s targets itself: %s\n", kinds[i].sec,
				 strerror(errno));
}
