/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a function's prototype (its BTF FUNC_PROTO) lets a BPF
 * trampoline trace it and the companion module replace it. Pure: no
 * kernel, so the rules are unit-tested.
 */
#ifndef BPFLP_FUNC_PROTO_H
#define BPFLP_FUNC_PROTO_H

#include <stddef.h>
#include <bpf/btf.h>

enum proto_fit {
	PROTO_REPLACEABLE, /* traceable and replaceable through the companion */
	PROTO_TRACE_ONLY,  /* fentry/fexit take it, the companion does not */
	PROTO_UNTRACEABLE, /* BPF trampolines refuse it */
};

/*
 * The fit of BTF FUNC func_id. trampoline_max_args: register slots the
 * kernel's trampoline takes (6 on x86-64 before Linux 6.6). why gets a
 * one-line reason for anything but PROTO_REPLACEABLE, and the number of
 * arguments otherwise ("3 arguments").
 */
enum proto_fit func_proto_fit(const struct btf *btf, int func_id, int trampoline_max_args,
			      char *why, size_t size);

#endif /* BPFLP_FUNC_PROTO_H */
