// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "attach_target.h"
#include "dispatch.skel.h"
#include "dispatch_stub.h"
#include "log.h"

/* A descriptor of our own for fd, closed on exec as libbpf's are. */
static int dup_cloexec(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

int dispatch_stub_load(const struct dispatch_target *t, int state_fd, int snap_fd,
		       struct dispatch_stub *out)
{
	struct dispatch *skel;
	int err;

	out->prog_fd = out->array_fd = -1;
	err = attach_target_stub(t->btf_id, t->btf_obj_fd);
	if (err)
		return err;
	skel = dispatch__open();
	if (!skel)
		return -errno;
	skel->rodata->target_key = t->func_key;
	attach_target_skip_vmlinux_btf(skel->progs.bpflp_stub);
	/*
	 * The shared maps the headers declare that the stub never reads: not
	 * made again for every function (the stub reads the word through
	 * data_bpflp_state, and entries from bpflp_snap).
	 */
	err = bpf_map__set_autocreate(skel->maps.bpflp_state, false)         ?:
		      bpf_map__set_autocreate(skel->maps.bpflp_cover, false) ?:
		      bpf_map__set_autocreate(skel->maps.bpflp_order, false) ?:
		      bpf_map__set_autocreate(skel->maps.bpflp_armed, false);
	err = err ?: bpf_map__reuse_fd(skel->maps.data_bpflp_state, state_fd);
	if (!err && snap_fd >= 0)
		err = bpf_map__reuse_fd(skel->maps.bpflp_snap, snap_fd);
	err = err ?: dispatch__load(skel);
	if (!err) {
		out->prog_fd = dup_cloexec(bpf_program__fd(skel->progs.bpflp_stub));
		out->array_fd = dup_cloexec(bpf_map__fd(skel->maps.bpflp_sides));
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
