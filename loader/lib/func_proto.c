// SPDX-License-Identifier: GPL-2.0
/*
 * The rules are those of Linux 6.1's btf_distill_func_proto() and x86-64
 * arch_prepare_bpf_trampoline(): no variadic function, no struct returned
 * by value, a struct argument only up to 16 bytes (two registers), and at
 * most as many registers in all as the kernel's trampoline takes. The
 * companion module hands the BPF program the six argument registers one
 * per argument, so it takes no struct by value at all.
 */
#include <errno.h>
#include <stdio.h>
#include <bpf/btf.h>
#include <bpflp/companion.h>
#include "func_proto.h"

#define MAX_STRUCT_ARG_SIZE 16

/* The type behind typedefs and qualifiers (id 0, void, stays 0). */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *res_id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (id && t && (btf_is_mod(t) || btf_is_typedef(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	*res_id = id;
	return t;
}

static const char *param_name(const struct btf *btf, const struct btf_param *p)
{
	const char *name = btf__name_by_offset(btf, p->name_off);

	return name && *name ? name : "?";
}

/* The type of a parameter if it is a struct or union passed by value, else NULL. */
static const struct btf_type *struct_by_value(const struct btf *btf, const struct btf_param *p)
{
	const struct btf_type *t;
	__u32 id;

	t = skip_mods(btf, p->type, &id);
	return t && (btf_is_struct(t) || btf_is_union(t)) ? t : NULL;
}

/* Registers one argument takes: a struct by value one per 8 bytes. */
static int arg_regs(const struct btf *btf, const struct btf_param *p)
{
	const struct btf_type *t = struct_by_value(btf, p);

	return t ? (t->size + 7) / 8 : 1;
}

static const struct btf_type *func_proto(const struct btf *btf, int func_id)
{
	const struct btf_type *func = btf__type_by_id(btf, func_id), *proto;

	proto = func && btf_is_func(func) ? btf__type_by_id(btf, func->type) : NULL;
	return proto && btf_is_func_proto(proto) ? proto : NULL;
}

int func_proto_arg_regs(const struct btf *btf, int func_id)
{
	const struct btf_type *proto = func_proto(btf, func_id);
	int regs = 0;

	if (!proto)
		return -EINVAL;
	for (int i = 0; i < btf_vlen(proto); i++)
		regs += arg_regs(btf, &btf_params(proto)[i]);
	return regs;
}

bool func_proto_scalar_args(const struct btf *btf, int func_id, int nr_args)
{
	const struct btf_type *proto = func_proto(btf, func_id);

	if (!proto || btf_vlen(proto) != nr_args)
		return false;
	for (int i = 0; i < nr_args; i++)
		if (!btf_params(proto)[i].type || struct_by_value(btf, &btf_params(proto)[i]))
			return false; /* variadic, or a struct by value */
	return true;
}

enum proto_fit func_proto_fit(const struct btf *btf, int func_id,
			      const struct trampoline_limit *limit, char *why, size_t size)
{
	const struct btf_type *proto = func_proto(btf, func_id), *t;
	const struct btf_param *params;
	int nr_args, regs, struct_arg = -1;
	__u32 id;

	if (!proto) {
		snprintf(why, size, "its BTF has no prototype");
		return PROTO_UNTRACEABLE;
	}
	nr_args = btf_vlen(proto);
	params = btf_params(proto);
	if (nr_args && !params[nr_args - 1].type) {
		snprintf(why, size, "variadic: BPF trampolines cannot take its arguments");
		return PROTO_UNTRACEABLE;
	}
	t = skip_mods(btf, proto->type, &id);
	if (id && t && (btf_is_struct(t) || btf_is_union(t))) {
		snprintf(why, size, "returns a struct by value: BPF trampolines cannot");
		return PROTO_UNTRACEABLE;
	}
	for (int i = 0; i < nr_args; i++) {
		t = struct_by_value(btf, &params[i]);
		if (!t)
			continue;
		if (t->size > MAX_STRUCT_ARG_SIZE) {
			snprintf(why, size,
				 "argument %d (%s) is a struct of %u bytes passed by value: BPF trampolines take at most %d",
				 i + 1, param_name(btf, &params[i]), t->size, MAX_STRUCT_ARG_SIZE);
			return PROTO_UNTRACEABLE;
		}
		if (struct_arg < 0)
			struct_arg = i;
	}
	regs = func_proto_arg_regs(btf, func_id);
	if (regs > limit->max_args) {
		snprintf(why, size,
			 "%d argument registers: this kernel's BPF trampolines take at most %d argument registers (%s)",
			 regs, limit->max_args,
			 limit->probed ? "probed" : "assumed from the kernel release: not probed");
		return PROTO_UNTRACEABLE;
	}
	if (regs > BPFLP_COMPANION_MAX_ARGS) {
		snprintf(why, size, "%d argument registers: the companion module passes at most %d",
			 regs, BPFLP_COMPANION_MAX_ARGS);
		return PROTO_TRACE_ONLY;
	}
	if (struct_arg >= 0) {
		snprintf(why, size,
			 "argument %d (%s) is a struct passed by value: the companion module passes scalars and pointers only",
			 struct_arg + 1, param_name(btf, &params[struct_arg]));
		return PROTO_TRACE_ONLY;
	}
	snprintf(why, size, "%d argument%s", nr_args, nr_args == 1 ? "" : "s");
	return PROTO_REPLACEABLE;
}
