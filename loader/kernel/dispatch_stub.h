/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fmod_ret stub of one function (bpf/dispatch.bpf.c): loaded for the
 * function, with its program array of two sides, not attached. Which
 * program each side holds, when the side bit flips and when the stub is
 * attached and detached are the caller's (docs/design.md, "Next: a
 * replace by program-array writes"): today make bench-scale's probe,
 * selftests/helpers/dispatch_scale.c.
 *
 * A stub is attached once per function, not once per replace, so it is
 * loaded from an object of its own; the target is handed to libbpf by id,
 * as for patch programs, so libbpf parses no vmlinux BTF for it. The
 * handler that does so is registered with bpflp's others
 * (attach_target_handlers()), before any object is opened: libbpf 1.1
 * moves its table of handlers when one is added, and an open object's
 * programs point into it.
 */
#ifndef BPFLP_DISPATCH_STUB_H
#define BPFLP_DISPATCH_STUB_H

#include <linux/types.h>

struct dispatch_target {
	__u64 func_key; /* kernel_func.h: what snapshot entries name the function by */
	__u32 btf_id;   /* the function's BTF id in its BTF object */
	int btf_obj_fd; /* that object (a module's), or 0 for vmlinux */
};

struct dispatch_stub {
	int prog_fd;  /* attach with bpf_link_create(prog_fd, 0, BPF_MODIFY_RETURN, NULL) */
	int array_fd; /* PROG_ARRAY: entry s runs while the word's side bit is s */
};

/*
 * Load the stub for t, reading the commit word from state_fd (a map laid
 * out as struct bpflp_state) and the calls' snapshot entries from snap_fd
 * (bpflp_snap; -1: a map of its own, for a caller that never raises flux).
 * 0, or a negative errno (then nothing is left open).
 */
int dispatch_stub_load(const struct dispatch_target *t, int state_fd, int snap_fd,
		       struct dispatch_stub *out);
void dispatch_stub_close(struct dispatch_stub *s);

#endif /* BPFLP_DISPATCH_STUB_H */
