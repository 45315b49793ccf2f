// SPDX-License-Identifier: GPL-2.0
/* bpflp apply OBJ [--stack] and bpflp disable NAME[@VERSION]. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "commands.h"
#include "output.h"
#include "transaction.h"

/* One positional argument and the flags a verb accepts; anything else is an error. */
static int parse_args(const char *verb, int argc, char **argv, const char *flag, bool *flag_set,
		      const char **positional, const char *what)
{
	*positional = NULL;
	for (int i = 0; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag)) {
			*flag_set = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			p_err("unknown option '%s' for %s: run 'bpflp help'", argv[i], verb);
			return -EINVAL;
		} else if (*positional) {
			p_err("%s takes one %s, got '%s' and '%s'", verb, what, *positional, argv[i]);
			return -EINVAL;
		} else {
			*positional = argv[i];
		}
	}
	if (!*positional) {
		p_err("%s needs a %s: run 'bpflp help'", verb, what);
		return -EINVAL;
	}
	return 0;
}

static void print_apply_json(const char *path, const struct apply_result *res)
{
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "action",
			   res->outcome == APPLY_ALREADY_ACTIVE ? "none" : "applied");
	jsonw_string_field(json_wtr, "object", path);
	jsonw_string_field(json_wtr, "name", res->meta.name);
	jsonw_uint_field(json_wtr, "version", res->meta.version);
	jsonw_string_field(json_wtr, "mode", patch_mode_name(res->meta.mode));
	jsonw_uint_field(json_wtr, "slot", res->meta.slot);
	jsonw_uint_field(json_wtr, "functions", res->meta.nr_funcs);
	jsonw_name(json_wtr, "replaced");
	jsonw_start_array(json_wtr);
	for (int i = 0; i < res->nr_replaced; i++)
		jsonw_string(json_wtr, res->replaced[i]);
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

static void print_apply_plain(const struct apply_result *res)
{
	if (res->outcome == APPLY_ALREADY_ACTIVE) {
		printf("%s@%u is already active: nothing to do\n", res->meta.name, res->meta.version);
		return;
	}
	printf("applied %s@%u (%s, %u function%s)", res->meta.name, res->meta.version,
	       patch_mode_name(res->meta.mode), res->meta.nr_funcs, res->meta.nr_funcs == 1 ? "" : "s");
	for (int i = 0; i < res->nr_replaced; i++)
		printf("%s%s", i ? ", " : "; replaced ", res->replaced[i]);
	printf("\n");
}

int do_apply(int argc, char **argv)
{
	struct apply_result res;
	bool stack = false;
	const char *path;
	int err;

	err = parse_args("apply", argc, argv, "--stack", &stack, &path, "patch object");
	if (err)
		return err;
	err = txn_apply(path, stack, &res);
	if (err)
		return err;
	if (json_output)
		print_apply_json(path, &res);
	else
		print_apply_plain(&res);
	return 0;
}

int do_disable(int argc, char **argv)
{
	struct disable_result res;
	const char *spec;
	int err;

	err = parse_args("disable", argc, argv, NULL, NULL, &spec, "patch NAME[@VERSION]");
	if (err)
		return err;
	err = txn_disable(spec, &res);
	if (err)
		return err;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "action", "disabled");
		jsonw_string_field(json_wtr, "name", res.meta.name);
		jsonw_uint_field(json_wtr, "version", res.meta.version);
		jsonw_end_object(json_wtr);
	} else {
		printf("disabled %s@%u\n", res.meta.name, res.meta.version);
	}
	return 0;
}
