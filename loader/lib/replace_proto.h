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

/* Where the variable is: REPLACE_PROTO_VAR_PREFIX and the function's name. */
#define REPLACE_PROTO_VAR_PREFIX "bpflp_proto_"

/*
 * The same with the BTF ids known: the object's VAR and the kernel's FUNC
 * (a negative id: not found). A name lookup scans the whole BTF, vmlinux's
 * too, once per function replaced.
 */
int replace_proto_check_ids(const struct btf *obj_btf, int var_id, const struct btf *kernel_btf,
			    int func_id, const char *func, char *why, size_t size);

#endif /* BPFLP_REPLACE_PROTO_H */
