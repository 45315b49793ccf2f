// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "log.h"
#include "output.h"
#include "store.h"
#include "util.h"

/* Values of the verbs' own options in getopt_long: above any short option. */
#define VERB_OPTION_BASE 256
#define MAX_VERB_OPTIONS 16

static const struct option global_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
};

#define NR_GLOBAL_OPTIONS ARRAY_SIZE(global_options)

/* -j, -p and -v, wherever they are; false for anything else. */
bool take_global_option(int opt)
{
	switch (opt) {
	case 'j':
		json_output = true;
		return true;
	case 'p':
		json_output = pretty_output = true;
		return true;
	case 'v':
		log_max_level = LOG_DEBUG;
		return true;
	}
	return false;
}

/* Whether arg is --LONG or -SHORT, alone or in a bundle of global short options (-jv). */
static bool is_global_option(const char *arg, const char *lng, char shrt)
{
	if (!strcmp(arg, lng))
		return true;
	if (arg[0] != '-' || arg[1] == '-' || !arg[1])
		return false;
	return strspn(arg + 1, "jpvhV") == strlen(arg + 1) && strchr(arg + 1, shrt);
}

void scan_output_options(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (is_global_option(argv[i], "--json", 'j'))
			json_output = true;
		if (is_global_option(argv[i], "--pretty", 'p'))
			json_output = pretty_output = true;
	}
}

/*
 * The option getopt_long() just refused, as typed: an unknown long option
 * (optopt 0) is the word itself; an unknown short one may sit in a bundle,
 * so only its letter is named; a known long one given a value ("--json=1")
 * is told so (a short one cannot be given one: "-V" after the verb, which
 * only takes it before, is unknown there). verb is NULL before the verb.
 */
void report_bad_option(char **argv, const char *verb)
{
	const char *word = argv[optind - 1];

	if (optopt && (optopt >= VERB_OPTION_BASE || strchr("jpvhV", optopt)) &&
	    !strncmp(word, "--", 2)) {
		p_err("option '%.*s' takes no value, got '%s': run 'bpflp help%s%s'",
		      (int)strcspn(word, "="), word, word, verb ? " " : "", verb ?: "");
	} else if (verb) {
		if (optopt)
			p_err("unknown option '-%c' for %s: run 'bpflp help %s'", optopt, verb, verb);
		else
			p_err("unknown option '%s' for %s: run 'bpflp help %s'", word, verb, verb);
	} else {
		if (optopt)
			p_err("unknown option '-%c': run 'bpflp help'", optopt);
		else
			p_err("unknown option '%s': run 'bpflp help'", word);
	}
}

/* One positional argument: kept, or extra for a verb that takes one; -EINVAL past MAX_VERB_ARGS. */
static int add_arg(const struct verb_spec *spec, struct verb_args *args, const char *arg,
		   const char **extra)
{
	if (args->arg && !spec->arg_many) {
		*extra = arg;
		return 0;
	}
	if (args->nr_args == MAX_VERB_ARGS) {
		p_err("%s takes at most %d arguments", spec->name, MAX_VERB_ARGS);
		return -EINVAL;
	}
	args->args[args->nr_args++] = arg;
	if (!args->arg)
		args->arg = arg;
	return 0;
}

/*
 * getopt_long takes an optional value only as --opt=VALUE: "--watch 2" is
 * wanted too, so the next word is the value when it is a number (a patch
 * named "2" then goes first, or after "--").
 */
static const char *optional_value(int argc, char **argv)
{
	const char *next = optind < argc ? argv[optind] : NULL;

	if (!next || !*next || strspn(next, "0123456789.") != strlen(next))
		return "";
	optind++;
	return next;
}

int parse_verb(const struct verb_spec *spec, int argc, char **argv, struct verb_args *args)
{
	struct option options[MAX_VERB_OPTIONS + NR_GLOBAL_OPTIONS + 1];
	const char *extra = NULL;
	int nr = 0, opt, first;

	memset(args, 0, sizeof(*args));
	for (const struct verb_option *o = spec->options; o && o->name; o++, nr++) {
		if (nr == MAX_VERB_OPTIONS)
			return -E2BIG; /* a bug in a verb table */
		options[nr] = (struct option){ o->name,
					       !o->value_name    ? no_argument :
					       o->value_optional ? optional_argument :
								   required_argument,
					       NULL, VERB_OPTION_BASE + nr };
	}
	memcpy(&options[nr], global_options, sizeof(global_options));
	memset(&options[nr + NR_GLOBAL_OPTIONS], 0, sizeof(options[0]));

	opterr = 0;
	optind = 0; /* glibc: start afresh, whatever parsed before */
	/* '-': arguments come back in order as 1, whatever POSIXLY_CORRECT says. */
	/* ':' first: a missing value comes back as ':', not '?'. */
	while ((opt = getopt_long(argc, argv, "-:jpvh", options, NULL)) != -1) {
		if (take_global_option(opt))
			continue;
		if (opt == 'h') {
			args->help = true;
			return 0;
		}
		if (opt >= VERB_OPTION_BASE && opt < VERB_OPTION_BASE + nr) {
			const struct verb_option *o = &spec->options[opt - VERB_OPTION_BASE];

			if (o->value_name)
				*(const char **)((char *)args + o->offset) =
					o->value_optional && !optarg ? optional_value(argc, argv) :
								       optarg;
			else
				*(bool *)((char *)args + o->offset) = true;
			continue;
		}
		if (opt == ':') {
			p_err("option '%s' needs a value: run 'bpflp help %s'", argv[optind - 1],
			      spec->name);
			return -EINVAL;
		}
		if (opt != 1) {
			report_bad_option(argv, spec->name);
			return -EINVAL;
		}
		if (!spec->arg_name) {
			p_err("%s takes no arguments, got '%s'", spec->name, optarg);
			return -EINVAL;
		}
		if (add_arg(spec, args, optarg, &extra))
			return -EINVAL;
		if (extra)
			break;
	}
	/* After "--" every word is an argument, even one starting with '-'. */
	for (first = optind; !extra && first < argc; first++) {
		if (!spec->arg_name) {
			p_err("%s takes no arguments, got '%s'", spec->name, argv[first]);
			return -EINVAL;
		}
		if (add_arg(spec, args, argv[first], &extra))
			return -EINVAL;
	}
	if (extra) {
		p_err("%s takes one %s, got '%s' and '%s'", spec->name, spec->arg_name, args->arg,
		      extra);
		return -EINVAL;
	}
	if (spec->arg_name && !spec->arg_optional && !args->arg) {
		p_err("%s needs a %s: run 'bpflp help %s'", spec->name, spec->arg_name, spec->name);
		return -EINVAL;
	}
	return 0;
}

int check_patch_spec(const char *spec)
{
	__u32 version;

	if (patch_spec_version(spec, &version) >= 0)
		return 0;
	if (spec[0] == '@')
		p_err("bad patch spec '%s': no NAME before '@'; use NAME or NAME@VERSION", spec);
	else
		p_err("bad patch spec '%s': VERSION must be a decimal number from 0 to 4294967295 without sign, spaces or leading zeros",
		      spec);
	return -EINVAL;
}

int parse_number_option(const char *option, const char *arg, unsigned long min, unsigned long max,
			unsigned long *n)
{
	char *end;

	errno = 0;
	*n = strtoul(arg, &end, 10);
	if (!*arg || *end || errno || arg[0] < '0' || arg[0] > '9' || *n < min || *n > max) {
		p_err("bad --%s '%s': give a whole number from %lu to %lu", option, arg, min, max);
		return -EINVAL;
	}
	return 0;
}
