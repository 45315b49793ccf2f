/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A verb's command line, parsed with getopt_long as xdp-tools does: each
 * verb declares its own options, the global ones (-j -p -v -h) are
 * accepted anywhere, and "--" ends the options.
 */
#ifndef BPFLP_ARGS_H
#define BPFLP_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* Arguments a verb taking several accepts on one command line. */
#define MAX_VERB_ARGS 64

/* What a verb's options and argument set. */
struct verb_args {
	bool stack;          /* apply --stack */
	bool dispatch;       /* apply --dispatch */
	bool allow_insecure; /* apply, check --allow-insecure */
	bool help;           /* -h/--help: print the verb's usage, run nothing */
	bool keep_shadow;    /* disable --keep-shadow */
	const char *module;  /* apply, check --module FILE.ko: the patch's livepatch module */
	const char *timeout; /* apply, disable --timeout SECONDS: livepatch transition wait */
	const char *watch;   /* show --watch [SECONDS]: "" when given without SECONDS */
	const char *count;   /* show --count N: refreshes */
	const char *last;    /* log --last N */
	const char *sig;     /* apply, install --sig FILE: the object's detached signature */
	const char *key;     /* sign --key KEY.pem */
	const char *cert;    /* sign --cert CERT.pem */
	const char *out;     /* sign --out SIG */
	const char *arg;     /* the positional argument, or NULL */
	/* A verb taking several (arg_many): all of them, arg being the first. */
	const char *args[MAX_VERB_ARGS];
	int nr_args;
};

/*
 * One option of a verb: a flag setting a bool of struct verb_args, or one
 * taking a value (--module FILE) setting a const char *.
 */
struct verb_option {
	const char *name; /* long name without "--": "stack" */
	size_t offset;    /* of its bool (or const char *) in struct verb_args */
	const char *help;
	const char *value_name; /* NULL: a flag; else what its value is ("FILE") */
	/*
	 * The value may be left out (--watch, --watch 2, --watch=2): it is the
	 * next word if that is a number, else "" is set.
	 */
	bool value_optional;
};

#define VERB_FLAG(name, field, help)                                                               \
	{                                                                                          \
		name, offsetof(struct verb_args, field), help, NULL, false                         \
	}
#define VERB_VALUE(name, field, value, help)                                                       \
	{                                                                                          \
		name, offsetof(struct verb_args, field), help, value, false                        \
	}
#define VERB_OPTIONAL_VALUE(name, field, value, help)                                              \
	{                                                                                          \
		name, offsetof(struct verb_args, field), help, value, true                         \
	}

/* What a verb accepts on its command line. */
struct verb_spec {
	const char *name;                  /* "apply" */
	const struct verb_option *options; /* ended by { }; NULL: none */
	const char *arg_name;              /* "patch object": takes one; NULL: takes none */
	bool arg_optional;
	bool arg_many; /* takes one or more (arg_name then names one of them) */
};

/*
 * Parse argv[1..argc) of verb spec->name (argv[0] is the verb as typed).
 * Sets the global output options it finds. Unknown options, a missing or an
 * extra argument print one error line and return -EINVAL.
 */
int parse_verb(const struct verb_spec *spec, int argc, char **argv, struct verb_args *args);

/*
 * Before anything is parsed, so that every error, parse errors included, is
 * JSON when -j or -p is anywhere before "--".
 */
void scan_output_options(int argc, char **argv);

/* Sets the output or log option for -j, -p, -v; false for any other option. */
bool take_global_option(int opt);

/* One error line for the option getopt_long() just refused; verb NULL before the verb. */
void report_bad_option(char **argv, const char *verb);

/* A NAME[@VERSION] given by the user: 0, or -EINVAL with one error line naming it. */
int check_patch_spec(const char *spec);

/* --option N: 0 and *n, or -EINVAL with one error line when N is not a whole number in [min, max]. */
int parse_number_option(const char *option, const char *arg, unsigned long min, unsigned long max,
			unsigned long *n);

#endif /* BPFLP_ARGS_H */
