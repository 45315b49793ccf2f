/* SPDX-License-Identifier: GPL-2.0 */
/* How bpflp can patch a kernel function on the running kernel, and why not otherwise. */
#ifndef BPFLP_ROUTE_H
#define BPFLP_ROUTE_H

#include <stddef.h>

enum func_route {
	ROUTE_FMOD_RET = 0,	/* fmod_ret reaches it: a security_* hook or on the error-injection list */
	ROUTE_COMPANION,	/* traceable: the companion module can replace it */
	ROUTE_OBSERVE_ONLY,	/* fentry/fexit only (reason says why not replaceable) */
	ROUTE_NONE,		/* not patchable at all (reason says why) */
};

const char *func_route_name(enum func_route route);

/*
 * Classify func; reason gets a one-line why. Returns the route, or -ENOENT
 * when the kernel has no such function (reason says so), another negative
 * errno when it cannot tell.
 */
int func_route(const char *func, char *reason, size_t size);

#endif /* BPFLP_ROUTE_H */
