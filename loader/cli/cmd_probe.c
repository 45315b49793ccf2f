// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp probe FUNC...: how bpflp can patch each function on this kernel
 * (fmod_ret, the companion module, observe only, or not at all) and why.
 * Changes nothing: it loads no module, and the one program it may load (to
 * learn the trampolines' argument limit, see kernel_trampoline.c) is gone
 * before it prints. A function the kernel does not have is an error, but
 * the others are still reported.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "output.h"
#include "route.h"

#define REASON_SIZE 512

struct probe_result {
	const char *func;
	int route; /* enum func_route, or -errno */
	char reason[REASON_SIZE];
};

static void print_plain(const struct probe_result *res, int nr)
{
	int width = strlen("FUNCTION");

	for (int i = 0; i < nr; i++)
		if (res[i].route >= 0 && (int)strlen(res[i].func) > width)
			width = strlen(res[i].func);
	printf("%-*s  %-12s  %s\n", width, "FUNCTION", "ROUTE", "REASON");
	for (int i = 0; i < nr; i++)
		if (res[i].route >= 0)
			printf("%-*s  %-12s  %s\n", width, res[i].func,
			       func_route_name(res[i].route), res[i].reason);
}

/* An array in function order; a function probe could not classify carries its error. */
static void print_json(const struct probe_result *res, int nr)
{
	jsonw_start_array(json_wtr);
	for (int i = 0; i < nr; i++) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "function", res[i].func);
		if (res[i].route >= 0) {
			jsonw_string_field(json_wtr, "route", func_route_name(res[i].route));
			jsonw_string_field(json_wtr, "reason", res[i].reason);
		} else {
			jsonw_string_field(json_wtr, "error", res[i].reason);
		}
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
}

/* One error line for every function that failed: the first's reason, the others named. */
static void report_failures(const struct probe_result *res, int nr)
{
	char others[256] = "";
	const struct probe_result *first = NULL;
	size_t len = 0;

	for (int i = 0; i < nr; i++) {
		if (res[i].route >= 0)
			continue;
		if (!first) {
			first = &res[i];
			continue;
		}
		len += snprintf(others + len, len < sizeof(others) ? sizeof(others) - len : 0,
				"%s%s", len ? ", " : "", res[i].func);
	}
	if (!first)
		return;
	if (len)
		p_err("%s; also failed: %s", first->reason, others);
	else
		p_err("%s", first->reason);
}

int do_probe(const struct verb_args *args)
{
	static struct probe_result res[MAX_VERB_ARGS];
	int err = 0;

	for (int i = 0; i < args->nr_args; i++) {
		res[i].func = args->args[i];
		res[i].route = func_route(res[i].func, res[i].reason, sizeof(res[i].reason));
		if (res[i].route < 0 && !err)
			err = res[i].route;
	}
	if (json_output) {
		print_json(res, args->nr_args);
		/* The document names each failure itself: exit 1, no second document. */
		if (err)
			output_error_in_document();
		return err;
	}
	print_plain(res, args->nr_args);
	report_failures(res, args->nr_args);
	return err;
}
