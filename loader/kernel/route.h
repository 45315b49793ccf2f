/* SPDX-License-Identifier: GPL-2.0 */
/* How bpflp can patch a kernel function on the running kernel, and why not otherwise. */
#ifndef BPFLP_ROUTE_H
#define BPFLP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include "func_proto.h"
#include "kallsyms.h"
#include "kmod_util.h"

enum func_route {
	ROUTE_FMOD_RET = 0, /* fmod_ret reaches it: a security_* hook or on the error-injection list */
	ROUTE_COMPANION,    /* traceable: the companion module can replace it */
	ROUTE_OBSERVE_ONLY, /* fentry/fexit only (reason says why not replaceable) */
	ROUTE_NONE,         /* not patchable at all (reason says why) */
};

const char *func_route_name(enum func_route route);

/*
 * Classify func; reason gets a one-line why. Returns the route, or -ENOENT
 * when the kernel has no such function (reason says so), another negative
 * errno when it cannot tell.
 */
int func_route(const char *func, char *reason, size_t size);

/* What the kernel says of a function: func_route() gathers it, route_decide() judges. */
struct func_facts {
	int btf_id;                     /* BTF FUNC (vmlinux's or a module's), or -ENOENT */
	char btf_module[KMOD_NAME_MAX]; /* the loaded module whose BTF has it; "" for vmlinux */
	int traceable;                  /* in available_filter_functions: 1, 0, -errno unknown */
	const char *traceable_source;   /* that list's path */
	int kallsyms_err;               /* 0, or -errno: /proc/kallsyms unreadable */
	struct ksym_count ksyms;
	char clone[KSYM_NAME_LEN]; /* without BTF: a compiler clone in kallsyms (func.isra.0), or "" */
	bool modifiable;           /* kernel_func_modifiable() */
	bool security_hook;        /* ... because its name is security_* */
	enum proto_fit proto;      /* with btf_id only */
	char proto_why[160];
	int companion_err; /* companion_module_usable() */
	char companion_why[400];
};

/* The route the facts allow, as func_route(); pure, for unit tests. */
int route_decide(const char *func, const struct func_facts *facts, char *reason, size_t size);

/*
 * The BPF trampoline limit func_id's prototype is judged by: 6 argument
 * registers, which every x86-64 kernel takes, or for a longer prototype
 * what this kernel takes (as root, learnt by attaching an empty program).
 */
const struct trampoline_limit *route_trampoline_limit(const struct btf *btf, int func_id);

#endif /* BPFLP_ROUTE_H */
