// SPDX-License-Identifier: GPL-2.0
/*
 * The rules are those of Linux 6.1's btf_distill_func_proto() and x86-64
 * arch_prepare_bpf_trampoline(): no variadic function, no struct returned
 * by value, a struct argument only up to 16 bytes (two registers), and at
 * most trampoline_max_args registers in all. The companion module hands
 * the BPF program the six argument registers one per argument, so it
 * takes no struct by value at all.
 */
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

enum proto_fit func_proto_fit(const struct btf *btf, int func_id, int trampoline_max_args,
			      char *why, size_t size)
{
	const struct btf_type *func = btf__type_by_id(btf, func_id), *proto, *t;
	const struct btf_param *params;
	int nr_args, regs = 0, struct_arg = -1;
	__u32 id;

	proto = func && btf_is_func(func) ? btf__type_by_id(btf, func->type) : NULL;
	if (!proto || !btf_is_func_proto(proto)) {
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
		t = skip_mods(btf, params[i].type, &id);
		if (t && (btf_is_struct(t) || btf_is_union(t))) {
			if (t->size > MAX_STRUCT_ARG_SIZE) {
				snprintf(why, size,
					 "argument %d (%s) is a struct of %u bytes passed by value: BPF trampolines take at most %d",
					 i + 1, param_name(btf, &params[i]), t->size,
					 MAX_STRUCT_ARG_SIZE);
				return PROTO_UNTRACEABLE;
			}
			if (struct_arg < 0)
				struct_arg = i;
			regs += (t->size + 7) / 8;
		} else {
			regs++;
		}
	}
	if (regs > trampoline_max_args) {
		snprintf(why, size,
			 "%d argument registers: this kernel's BPF trampolines take at most %d",
			 regs, trampoline_max_args);
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
