/* SPDX-License-Identifier: GPL-2.0 */
/* A BPFLP_REPLACE body's declared prototype against the kernel function's. */
#ifndef BPFLP_REPLACE_PROTO_H
#define BPFLP_REPLACE_PROTO_H

#include <stddef.h>

struct btf;

/* Where BPFLP_REPLACE records the body's prototype: this prefix and the function's name. */
#define REPLACE_PROTO_VAR_PREFIX "bpflp_proto_"

/*
 * Compare the prototype BPFLP_REPLACE recorded as bpflp_proto_<func> in
 * the object's BTF (its VAR's id, var_id) with func's in the kernel's
 * (its FUNC's id, func_id; a negative id: not found): the body may declare
 * fewer arguments, each of the kernel's type (typedefs and qualifiers
 * aside). Ids, not names: a name lookup scans the whole BTF, vmlinux's
 * too, once per function replaced. 0, or -EINVAL with a one-line why.
 */
int replace_proto_check(const struct btf *obj_btf, int var_id, const struct btf *kernel_btf,
			int func_id, const char *func, char *why, size_t size);

#endif /* BPFLP_REPLACE_PROTO_H */
