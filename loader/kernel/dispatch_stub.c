// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach_target.h"
#include "commit.h"
#include "dispatch.skel.h"
#include "dispatch_stub.h"
#include "log.h"

/* The target of the stub being loaded: the loader loads one object at a time. */
static const struct dispatch_target *loading;

/* libbpf's last step before it loads the stub: the target bpflp already knows. */
static int set_stub_target(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	(void)prog;
	(void)cookie;
	if (!loading)
		return -EINVAL;
	opts->attach_btf_id = loading->btf_id;
	opts->attach_btf_obj_fd = loading->btf_obj_fd;
	opts->attach_prog_fd = 0; /* attach_target_skip_vmlinux_btf's mark */
	return 0;
}

/* The stubs' sections are bpflp's own: their handlers stay for the life of the process. */
static int register_stub_handlers(void)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, opts, .prog_prepare_load_fn = set_stub_target);
	static int err = 1;

	if (err > 0) {
		err = libbpf_register_prog_handler("bpflp.stub.fmod_ret", BPF_PROG_TYPE_TRACING,
						   BPF_MODIFY_RETURN, &opts) < 0 ||
				      libbpf_register_prog_handler("bpflp.stub.fentry",
								   BPF_PROG_TYPE_TRACING,
								   BPF_TRACE_FENTRY, &opts) < 0 ?
			      -errno :
			      0;
	}
	return err;
}

int dispatch_attach_type(const struct dispatch_target *t)
{
	return t->entry ? BPF_TRACE_FENTRY : BPF_MODIFY_RETURN;
}

int dispatch_stub_load(const struct dispatch_target *t, int state_fd, int snap_fd,
		       struct dispatch_stub *out)
{
	struct bpf_program *stub, *other;
	struct dispatch *skel;
	int err;

	out->prog_fd = out->array_fd = -1;
	err = register_stub_handlers();
	if (err)
		return err;
	skel = dispatch__open();
	if (!skel)
		return -errno;
	stub = t->entry ? skel->progs.bpflp_stub_fentry : skel->progs.bpflp_stub_fmod_ret;
	other = t->entry ? skel->progs.bpflp_stub_fmod_ret : skel->progs.bpflp_stub_fentry;
	skel->rodata->target_key = t->func_key;
	bpf_program__set_autoload(other, false);
	attach_target_skip_vmlinux_btf(stub);
	err = share_state_section(skel->obj, NULL) ?:
		      bpf_map__reuse_fd(bpf_object__find_map_by_name(skel->obj, BPFLP_STATE_SECTION),
					state_fd);
	if (!err && snap_fd >= 0)
		err = bpf_map__reuse_fd(skel->maps.bpflp_snap, snap_fd);
	loading = t;
	err = err ?: dispatch__load(skel);
	loading = NULL;
	if (!err) {
		out->prog_fd = dup(bpf_program__fd(stub));
		out->array_fd = dup(bpf_map__fd(skel->maps.bpflp_sides));
		if (out->prog_fd < 0 || out->array_fd < 0) {
			err = -errno;
			dispatch_stub_close(out);
		}
	}
	dispatch__destroy(skel);
	return err;
}

void dispatch_stub_close(struct dispatch_stub *s)
{
	if (s->prog_fd >= 0)
		close(s->prog_fd);
	if (s->array_fd >= 0)
		close(s->array_fd);
	s->prog_fd = s->array_fd = -1;
}
