// SPDX-License-Identifier: GPL-2.0
/*
 * Which way bpflp can patch a function here. fmod_ret is the kernel's own
 * way but reaches only security_* hooks and the error-injection list; the
 * companion module replaces any other function ftrace can attach to and
 * BTF describes; what neither can replace may still be observed with
 * fentry/fexit; the rest cannot be touched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include "companion_kmod.h"
#include "kernel.h"
#include "kernel_func.h"
#include "route.h"
#include "util.h"

#define SECURITY_PREFIX "security_"

static const char *const route_names[] = {
	[ROUTE_FMOD_RET] = "fmod_ret",
	[ROUTE_COMPANION] = "companion",
	[ROUTE_OBSERVE_ONLY] = "observe_only",
	[ROUTE_NONE] = "none",
};

const char *func_route_name(enum func_route route)
{
	if ((unsigned int)route >= ARRAY_SIZE(route_names))
		return "?";
	return route_names[route];
}

static int route(int r, char *reason, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int route(int r, char *reason, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, size, fmt, ap);
	va_end(ap);
	return r;
}

/* Without BTF nothing can attach; say what the function is, if anything. */
static int decide_without_btf(const char *func, const struct func_facts *f, char *reason, size_t size)
{
	if (f->ksyms.vmlinux)
		return route(ROUTE_NONE, reason, size,
			     "in /proc/kallsyms but not in vmlinux's BTF: BPF cannot attach to it");
	if (f->ksyms.modules)
		return route(ROUTE_NONE, reason, size,
			     "in module %s, without BTF: BPF cannot attach to it", f->ksyms.module);
	if (f->clone[0])
		return route(ROUTE_NONE, reason, size,
			     "the compiler specialised it into %s, whose prototype differs from the source's, so it has no BTF: BPF cannot attach to it",
			     f->clone);
	return route(-ENOENT, reason, size, "no function %s in this kernel (not in its BTF%s)", func,
		     f->kallsyms_err ? "; /proc/kallsyms unreadable" : " nor in /proc/kallsyms");
}

int route_decide(const char *func, const struct func_facts *f, char *reason, size_t size)
{
	bool in_module = f->btf_module[0];
	int nr_syms = in_module ? f->ksyms.modules : f->ksyms.vmlinux;
	char unknown[128] = "";
	int r;

	if (f->btf_id < 0)
		return decide_without_btf(func, f, reason, size);
	if (!f->traceable)
		return route(ROUTE_NONE, reason, size,
			     "not traceable (notrace, inlined or init-only: absent from %s)",
			     f->traceable_source);
	if (!f->kallsyms_err && !nr_syms)
		return route(ROUTE_NONE, reason, size,
			     "in BTF but not in /proc/kallsyms: inlined or discarded, nothing to attach to");
	if (f->proto == PROTO_UNTRACEABLE)
		return route(ROUTE_NONE, reason, size, "%s", f->proto_why);
	if (nr_syms > 1)
		return route(ROUTE_OBSERVE_ONLY, reason, size,
			     "%d static functions are named %s: BPF and ftrace take the first in kallsyms, a patch would miss the others",
			     nr_syms, func);
	if (f->traceable < 0)
		snprintf(unknown, sizeof(unknown), " (traceability unchecked: %s unreadable)",
			 f->traceable_source);
	if (f->modifiable)
		r = route(ROUTE_FMOD_RET, reason, size, "%s: fmod_ret replaces it%s",
			  f->security_hook ? "an LSM hook (security_*)" :
					     "on the error-injection list",
			  unknown);
	else if (f->proto == PROTO_TRACE_ONLY)
		r = route(ROUTE_OBSERVE_ONLY, reason, size, "%s%s", f->proto_why, unknown);
	else if (in_module)
		r = route(ROUTE_OBSERVE_ONLY, reason, size,
			  "in module %s: the companion module replaces functions of vmlinux only (their code cannot go away under its hook)%s",
			  f->btf_module, unknown);
	else if (f->companion_err)
		r = route(ROUTE_OBSERVE_ONLY, reason, size, "companion module unusable: %s%s",
			  f->companion_why, unknown);
	else
		r = route(ROUTE_COMPANION, reason, size,
			  "traceable, %s: the companion module replaces it%s", f->proto_why, unknown);
	return r;
}

/*
 * The trampoline limit a prototype is judged by. Every x86-64 kernel's
 * trampolines take 6 argument registers, so only a longer prototype needs
 * the kernel asked (which, as root, attaches a program).
 */
const struct trampoline_limit *route_trampoline_limit(const struct btf *btf, int func_id)
{
	/* Its .probed is never printed: no prototype within it goes past it. */
	static const struct trampoline_limit every_kernel = { .max_args = 6, .probed = true };

	if (func_proto_arg_regs(btf, func_id) <= every_kernel.max_args)
		return &every_kernel;
	return kernel_trampoline_limit();
}

/* The module's state is the same for every function: asked once per process. */
static void companion_facts(struct func_facts *f)
{
	static bool asked;
	static int err;
	static char why[sizeof(f->companion_why)];

	if (!asked) {
		err = companion_module_usable(why, sizeof(why));
		asked = true;
	}
	f->companion_err = err;
	snprintf(f->companion_why, sizeof(f->companion_why), "%s", why);
}

int func_route(const char *func, char *reason, size_t size)
{
	struct func_facts f = {};
	struct kernel_func kf;
	int err;

	err = kernel_func_find(func, &kf);
	f.btf_id = err ?: kf.btf_id;
	if (err && err != -ENOENT)
		return route(err, reason, size, "cannot read the kernel's BTF: %s", strerror(-err));
	f.kallsyms_err = kallsyms_count_text(func, &f.ksyms);
	if (err) {
		/* A clone only when func itself is not in kallsyms. */
		if (kallsyms_find_clone(func, f.clone, sizeof(f.clone)) <= 0)
			f.clone[0] = '\0';
		return route_decide(func, &f, reason, size);
	}
	memcpy(f.btf_module, kf.module, sizeof(f.btf_module));
	f.traceable = kernel_func_traceable(func);
	f.traceable_source = kernel_traceable_source();
	f.modifiable = kernel_func_modifiable(func);
	f.security_hook = !strncmp(func, SECURITY_PREFIX, strlen(SECURITY_PREFIX));
	f.proto = func_proto_fit(kf.btf, f.btf_id, route_trampoline_limit(kf.btf, f.btf_id),
				 f.proto_why, sizeof(f.proto_why));
	if (!f.modifiable && !f.btf_module[0] && f.proto == PROTO_REPLACEABLE)
		companion_facts(&f);
	return route_decide(func, &f, reason, size);
}
