// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "replace_proto.h"

/* Skip what does not change a type's layout: typedefs and qualifiers. */
static const struct btf_type *resolve(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* A type's signature: what must match between the patch's and the kernel's BTF. */
static void signature(const struct btf *btf, __u32 id, char *buf, size_t size)
{
	const struct btf_type *t = resolve(btf, &id);
	char stars[8] = "";
	int depth = 0;

	while (t && btf_is_ptr(t) && depth < (int)sizeof(stars) - 1) {
		stars[depth++] = '*';
		id = t->type;
		t = id ? resolve(btf, &id) : NULL;
	}
	if (!t)
		snprintf(buf, size, "void %s", stars);
	else if (btf_is_int(t) || btf_is_any_enum(t))
		snprintf(buf, size, "%u-byte %s%s%s", t->size, btf_is_int(t) ? "integer" : "enum",
			 depth ? " " : "", stars);
	else
		snprintf(buf, size, "%s %s%s%s",
			 btf_is_union(t)      ? "union" :
			 btf_is_struct(t)     ? "struct" :
			 btf_is_func_proto(t) ? "function" :
						"type",
			 btf__name_by_offset(btf, t->name_off), depth ? " " : "", stars);
}

static const struct btf_type *func_proto_of_var(const struct btf *btf, int var_id)
{
	const struct btf_type *t = var_id > 0 ? btf__type_by_id(btf, var_id) : NULL;
	__u32 id;

	if (!t || !btf_is_var(t))
		return NULL;
	id = t->type;
	t = resolve(btf, &id);
	if (!t || !btf_is_ptr(t))
		return NULL;
	id = t->type;
	t = resolve(btf, &id);
	return t && btf_is_func_proto(t) ? t : NULL;
}

int replace_proto_check(const struct btf *obj_btf, int var_id, const struct btf *kernel_btf,
			int func_id, const char *func, char *why, size_t size)
{
	const struct btf_type *body, *kfunc, *kproto;
	const struct btf_param *bp, *kp;
	char have[128], want[128];
	int nr_body;

	body = obj_btf ? func_proto_of_var(obj_btf, var_id) : NULL;
	kfunc = func_id > 0 ? btf__type_by_id(kernel_btf, func_id) : NULL;
	if (!body || !kfunc || !btf_is_func(kfunc)) {
		snprintf(why, size,
			 "no prototype recorded for BPFLP_REPLACE(%s): build it with this bpflp's patch.bpf.h",
			 func);
		return -EINVAL;
	}
	kproto = btf__type_by_id(kernel_btf, kfunc->type);
	/* The body's first parameter is BPFLP_REPLACE's placeholder. */
	nr_body = btf_vlen(body) - 1;
	if (nr_body > btf_vlen(kproto)) {
		snprintf(why, size,
			 "BPFLP_REPLACE(%s) declares %d arguments, the kernel's %s takes %d: declare the body with the kernel's prototype",
			 func, nr_body, func, btf_vlen(kproto));
		return -EINVAL;
	}
	bp = btf_params(body) + 1;
	kp = btf_params(kproto);
	for (int i = 0; i < nr_body; i++, bp++, kp++) {
		signature(obj_btf, bp->type, have, sizeof(have));
		signature(kernel_btf, kp->type, want, sizeof(want));
		if (strcmp(have, want)) {
			snprintf(why, size,
				 "BPFLP_REPLACE(%s) argument %d is %s, the kernel's %s takes %s: declare the body with the kernel's prototype",
				 func, i + 1, have, func, want);
			return -EINVAL;
		}
	}
	return 0;
}
