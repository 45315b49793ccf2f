/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a function's prototype (its BTF FUNC_PROTO) lets a BPF
 * trampoline trace it and the companion module replace it. Pure: no
 * kernel, so the rules are unit-tested.
 */
#ifndef BPFLP_FUNC_PROTO_H
#define BPFLP_FUNC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/btf.h>

enum proto_fit {
	PROTO_REPLACEABLE, /* traceable and replaceable through the companion */
	PROTO_TRACE_ONLY,  /* fentry/fexit take it, the companion does not */
	PROTO_UNTRACEABLE, /* BPF trampolines refuse it */
};

/* Argument registers the kernel's BPF trampolines take (x86-64: 6 before Linux 6.6, 12 since). */
struct trampoline_limit {
	int max_args;
	bool probed; /* an fentry attach told; else assumed from the kernel release */
};

/*
 * The fit of BTF FUNC func_id under limit. why gets a one-line reason for
 * anything but PROTO_REPLACEABLE, and the number of arguments otherwise
 * ("3 arguments").
 */
enum proto_fit func_proto_fit(const struct btf *btf, int func_id,
			      const struct trampoline_limit *limit, char *why, size_t size);

/* Argument registers a call of func_id fills (a struct by value: one per 8 bytes), or -EINVAL. */
int func_proto_arg_regs(const struct btf *btf, int func_id);

/* Does func_id take exactly nr_args arguments, none variadic or a struct by value? */
bool func_proto_scalar_args(const struct btf *btf, int func_id, int nr_args);

#endif /* BPFLP_FUNC_PROTO_H */
