// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing that needs no kernel: each verb's own options, the
 * global ones anywhere, "--", per-verb -h, positional counts, verb prefixes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "commands.h"
#include "log.h"
#include "output.h"

static const struct verb_spec apply_spec = { .name = "apply",
					     .options = apply_options,
					     .arg_name = "patch object" };
static const struct verb_spec list_spec = { .name = "list" };
static const struct verb_spec help_spec = { .name = "help",
					    .arg_name = "command",
					    .arg_optional = true };
static const struct verb_spec show_spec = { .name = "show",
					    .options = show_options,
					    .arg_name = "patch NAME[@VERSION]" };
static const struct verb_spec probe_spec = { .name = "probe",
					     .arg_name = "function",
					     .arg_many = true };

/* parse ARGS... (the verb first) against spec; argv is copied: getopt permutes. */
static int parse(const struct verb_spec *spec, struct verb_args *args, int argc, ...)
{
	static char *argv[16];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return parse_verb(spec, argc, argv, args);
}

static int reset(void **state)
{
	(void)state;
	json_output = pretty_output = false;
	log_max_level = LOG_WARN;
	return 0;
}

static void test_verb_options(void **state)
{
	struct verb_args a;

	(void)state;
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "--stack", "p.o"), 0);
	assert_true(a.stack);
	assert_false(a.allow_insecure);
	assert_string_equal(a.arg, "p.o");
	/* Options after the argument, and unique prefixes, as getopt_long takes them. */
	assert_int_equal(parse(&apply_spec, &a, 4, "apply", "p.o", "--allow-in", "--st"), 0);
	assert_true(a.stack && a.allow_insecure);
	assert_string_equal(a.arg, "p.o");
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "p.o", "--bogus"), -EINVAL);
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "-x", "p.o"), -EINVAL);
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "--stack=1", "p.o"), -EINVAL);
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "a.o", "b.o"), -EINVAL);
	assert_int_equal(parse(&apply_spec, &a, 2, "apply", "--stack"), -EINVAL);
	assert_int_equal(parse(&list_spec, &a, 2, "list", "extra"), -EINVAL);
	assert_int_equal(parse(&list_spec, &a, 2, "list", "--stack"), -EINVAL); /* apply's */
	assert_int_equal(parse(&list_spec, &a, 1, "list"), 0);
}

/* Options taking a value: --module FILE, --module=FILE; a missing value is an error. */
static void test_value_options(void **state)
{
	struct verb_args a;

	(void)state;
	assert_int_equal(parse(&apply_spec, &a, 6, "apply", "p.o", "--module", "m.ko", "--timeout",
			       "5"),
			 0);
	assert_string_equal(a.module, "m.ko");
	assert_string_equal(a.timeout, "5");
	assert_string_equal(a.arg, "p.o");
	assert_int_equal(a.nr_args, 1);
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "--module=x.ko", "p.o"), 0);
	assert_string_equal(a.module, "x.ko");
	assert_null(a.timeout);
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "p.o", "--module"), -EINVAL);
	assert_int_equal(parse(&list_spec, &a, 3, "list", "--module", "m.ko"), -EINVAL);
}

static void test_global_options_anywhere(void **state)
{
	struct verb_args a;

	(void)state;
	assert_int_equal(parse(&list_spec, &a, 3, "list", "-v", "--json"), 0);
	assert_true(json_output);
	assert_false(pretty_output);
	assert_int_equal(log_max_level, LOG_DEBUG);
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "p.o", "-p"), 0);
	assert_true(pretty_output);
	assert_string_equal(a.arg, "p.o");
}

static void test_double_dash(void **state)
{
	struct verb_args a;

	(void)state;
	/* After "--", "-j" is a file name, and not an option. */
	assert_int_equal(parse(&apply_spec, &a, 4, "apply", "--stack", "--", "-j"), 0);
	assert_false(json_output);
	assert_true(a.stack);
	assert_string_equal(a.arg, "-j");
	assert_int_equal(parse(&apply_spec, &a, 4, "apply", "--", "a.o", "--stack"), -EINVAL);
	assert_int_equal(parse(&list_spec, &a, 3, "list", "--", "x"), -EINVAL);
	assert_int_equal(parse(&list_spec, &a, 2, "list", "--"), 0);
}

/* probe FUNC...: every argument, in order, options anywhere, "--" included. */
static void test_many_args(void **state)
{
	struct verb_args a;

	(void)state;
	assert_int_equal(parse(&probe_spec, &a, 6, "probe", "f1", "-j", "f2", "--", "-f3"), 0);
	assert_true(json_output);
	assert_int_equal(a.nr_args, 3);
	assert_string_equal(a.arg, "f1");
	assert_string_equal(a.args[1], "f2");
	assert_string_equal(a.args[2], "-f3");
	assert_int_equal(parse(&probe_spec, &a, 1, "probe"), -EINVAL);
	/* A verb of one argument still takes only one. */
	assert_int_equal(parse(&apply_spec, &a, 3, "apply", "a.o", "b.o"), -EINVAL);
}

static void test_verb_help(void **state)
{
	struct verb_args a;

	(void)state;
	/* -h wins over a missing argument: it runs nothing. */
	assert_int_equal(parse(&apply_spec, &a, 2, "apply", "-h"), 0);
	assert_true(a.help);
	assert_int_equal(parse(&list_spec, &a, 2, "list", "--help"), 0);
	assert_true(a.help);
	assert_int_equal(parse(&help_spec, &a, 1, "help"), 0);
	assert_null(a.arg);
	assert_int_equal(parse(&help_spec, &a, 2, "help", "apply"), 0);
	assert_string_equal(a.arg, "apply");
}

static void test_output_scan(void **state)
{
	char *plain[] = { "bpflp", "apply", "--", "-j", NULL };
	char *bundle[] = { "bpflp", "list", "-vj", NULL };
	char *other[] = { "bpflp", "list", "-jx", NULL };
	char *pretty[] = { "bpflp", "show", "x", "--pretty", NULL };

	(void)state;
	scan_output_options(4, plain);
	assert_false(json_output);
	scan_output_options(3, other);
	assert_false(json_output);
	scan_output_options(3, bundle);
	assert_true(json_output);
	assert_false(pretty_output);
	scan_output_options(4, pretty);
	assert_true(pretty_output);
}

static void test_find_command(void **state)
{
	(void)state;
	assert_string_equal(find_command(commands, "li")->spec.name, "list");
	assert_string_equal(find_command(commands, "ver")->spec.name, "version");
	assert_string_equal(find_command(commands, "h")->spec.name, "help");
	assert_null(find_command(commands, "")); /* ambiguous */
	assert_null(find_command(commands, "APPLY"));
	assert_null(find_command(commands, "applyx"));
}

/* show --watch [SECONDS]: the value is optional, and taken from the next word only if a number. */
static void test_optional_value(void **state)
{
	struct verb_args a;

	(void)state;
	assert_int_equal(parse(&show_spec, &a, 3, "show", "t-a", "--watch"), 0);
	assert_string_equal(a.watch, "");
	assert_string_equal(a.arg, "t-a");
	assert_int_equal(parse(&show_spec, &a, 4, "show", "t-a", "--watch", "2"), 0);
	assert_string_equal(a.watch, "2");
	assert_int_equal(parse(&show_spec, &a, 4, "show", "--watch", "0.5", "t-a"), 0);
	assert_string_equal(a.watch, "0.5");
	assert_string_equal(a.arg, "t-a");
	assert_int_equal(parse(&show_spec, &a, 3, "show", "--watch=3", "t-a"), 0);
	assert_string_equal(a.watch, "3");
	/* Not a number: the patch, not the interval. */
	assert_int_equal(parse(&show_spec, &a, 3, "show", "--watch", "t-a"), 0);
	assert_string_equal(a.watch, "");
	assert_string_equal(a.arg, "t-a");
	assert_int_equal(parse(&show_spec, &a, 6, "show", "t-a", "--watch", "--count", "2", "-j"), 0);
	assert_string_equal(a.watch, "");
	assert_string_equal(a.count, "2");
	assert_true(json_output);
	assert_int_equal(parse(&show_spec, &a, 5, "show", "t-a", "--watch", "1", "x"), -EINVAL);
	assert_int_equal(parse(&show_spec, &a, 3, "show", "t-a", "--count"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_verb_options, reset),
		cmocka_unit_test_setup(test_value_options, reset),
		cmocka_unit_test_setup(test_global_options_anywhere, reset),
		cmocka_unit_test_setup(test_double_dash, reset),
		cmocka_unit_test_setup(test_many_args, reset),
		cmocka_unit_test_setup(test_verb_help, reset),
		cmocka_unit_test_setup(test_output_scan, reset),
		cmocka_unit_test_setup(test_find_command, reset),
		cmocka_unit_test_setup(test_optional_value, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
