/* SPDX-License-Identifier: GPL-2.0 */
/* A BPFLP_REPLACE body's declared prototype against the kernel function's. */
#ifndef BPFLP_REPLACE_PROTO_H
#define BPFLP_REPLACE_PROTO_H

#include <stddef.h>

struct btf;

/*
 * Compare the prototype BPFLP_REPLACE recorded as bpflp_proto_<func> in
 * the object's BTF with func's in vmlinux's: the body may declare fewer
 * arguments, each of the kernel's type (typedefs and qualifiers aside).
 * 0, or -EINVAL with a one-line why.
 */
int replace_proto_check(const struct btf *obj_btf, const struct btf *kernel_btf, const char *func,
			char *why, size_t size);

#endif /* BPFLP_REPLACE_PROTO_H */
