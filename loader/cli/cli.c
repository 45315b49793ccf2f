// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: global options anywhere (as bpftool), each verb's own
 * options (as xdp-tools), prefix-matched verbs, help, version, and exactly
 * one error for a failing command.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <bpf/libbpf.h>
#include <bpflp/abi.h>
#include "commands.h"
#include "log.h"
#include "output.h"
#include "status_codes.h"
#include "store.h"
#include "util.h"
#include "version.h"

/* Designated initializers: -Wextra wants every field of a positional one. */
#define VERB(n, ...) .spec = { .name = n, __VA_ARGS__ }

const struct command commands[] = {
	{ VERB("apply", .options = apply_options, .arg_name = "patch object"), .run = do_apply,
	  .synopsis =
		  "apply OBJ [--stack] [--dispatch] [--allow-insecure] [--module FILE.ko] [--timeout S] [--sig FILE]",
	  .summary = "apply a patch; replaces every active patch unless --stack" },
	{ VERB("list"), .run = do_list, .synopsis = "list",
	  .summary = "every patch bpflp knows, with its state" },
	{ VERB("show", .options = show_options, .arg_name = "patch NAME[@VERSION]"), .run = do_show,
	  .synopsis = "show NAME[@VERSION] [--watch [SECONDS]] [--count N]",
	  .summary = "per function: attach type, ids, pins, calls, overrides;\n"
		     "with --watch, again every SECONDS (default 1)" },
	{ VERB("disable", .options = disable_options, .arg_name = "patch NAME[@VERSION]"),
	  .run = do_disable, .synopsis = "disable NAME[@VERSION] [--timeout S] [--keep-shadow]",
	  .summary = "turn a patch off atomically and detach it" },
	{ VERB("check", .options = check_options, .arg_name = "patch object"), .run = do_check,
	  .synopsis = "check OBJ [--allow-insecure] [--module FILE.ko]",
	  .summary = "preflight a patch object; changes nothing" },
	{ VERB("probe", .arg_name = "function", .arg_many = true), .run = do_probe,
	  .synopsis = "probe FUNC...",
	  .summary = "how each kernel function can be patched here: fmod_ret,\n"
		     "companion (module), observe_only or none, and why" },
	{ VERB("recover"), .run = do_recover, .synopsis = "recover",
	  .summary = "finish or roll back a transaction whose bpflp died; repair drift" },
	{ VERB("status"), .run = do_status, .synopsis = "status",
	  .summary = "is the state consistent with the kernel? exit 0 yes,\n"
		     "2 to 5 no: drift, pending, unrecoverable, unsupported\n"
		     "(see Exit status)" },
	{ VERB("gc"), .run = do_gc, .synopsis = "gc",
	  .summary = "remove the records of replaced and disabled patches" },
	{ VERB("install", .options = install_options, .arg_name = "patch object"),
	  .run = do_install, .synopsis = "install OBJ [--dispatch] [--allow-insecure] [--sig FILE]",
	  .summary = "make OBJ the patch applied at boot (bpflp.service);\n"
		     "replaces the installed one; applies nothing now" },
	{ VERB("uninstall", .arg_name = "patch NAME"), .run = do_uninstall,
	  .synopsis = "uninstall NAME",
	  .summary = "no patch applied at boot any more; the active one stays" },
	{ VERB("boot"), .run = do_boot, .synopsis = "boot",
	  .summary = "apply the installed patch, as 'apply' (bpflp.service runs it)" },
	{ VERB("sign", .options = sign_options, .arg_name = "file to sign"), .run = do_sign,
	  .synopsis = "sign FILE --key KEY.pem --cert CERT.pem [--out SIG]",
	  .summary = "write FILE.sig, the detached signature apply checks\n"
		     "(a patch object or its livepatch module)" },
	{ VERB("stats", .arg_name = "setting on or off", .arg_optional = true), .run = do_stats,
	  .synopsis = "stats [on|off]",
	  .summary = "per-patch call counters on (the default) or off, which\n"
		     "makes a patched call cheaper; without an argument, which" },
	{ VERB("log", .options = log_options), .run = do_log, .synopsis = "log [--last N]",
	  .summary = "the history of transactions: time, operation, patch,\n"
		     "outcome (rolled back ones included), duration, pid" },
	{ VERB("help", .arg_name = "command", .arg_optional = true), .run = do_help,
	  .synopsis = "help [COMMAND]", .summary = "this text, or COMMAND's usage" },
	{ VERB("version"), .run = do_version, .synopsis = "version",
	  .summary = "the versions of bpflp, its ABI and record format, and libbpf" },
	{},
};

static const struct {
	const char *options;
	const char *help;
} global_option_help[] = {
	{ "-j, --json", "one JSON document on stdout, errors included" },
	{ "-p, --pretty", "JSON, indented" },
	{ "-v, --verbose", "debug messages, libbpf's included" },
	{ "-h, --help", "this text; with a command, its usage" },
	{ "-V, --version", "the same as 'bpflp version'" },
};

#define HELP_COLUMN 25

const struct command *find_command(const struct command *cmds, const char *word)
{
	const struct command *match = NULL;
	size_t len = strlen(word);

	for (const struct command *c = cmds; c->spec.name; c++) {
		if (strncmp(c->spec.name, word, len))
			continue;
		if (!strcmp(c->spec.name, word))
			return c;
		if (match) {
			p_err("command '%s' is ambiguous: type more of it", word);
			return NULL;
		}
		match = c;
	}
	if (!match)
		p_err("unknown command '%s': run 'bpflp help'", word);
	return match;
}

/* "  NAME-OR-OPTION   help", help lines after the first indented to HELP_COLUMN. */
static void print_entry(FILE *f, const char *left, const char *help)
{
	int n = fprintf(f, "  %s", left);

	if (n + 1 > HELP_COLUMN) {
		fputc('\n', f);
		n = 0;
	}
	fprintf(f, "%*s", HELP_COLUMN - n, "");
	for (; *help; help++) {
		fputc(*help, f);
		if (*help == '\n')
			fprintf(f, "%*s", HELP_COLUMN, "");
	}
	fputc('\n', f);
}

static void print_exit_codes(FILE *f)
{
	fprintf(f, "\nExit status:\n");
	for (int code = 0; code < STATUS_NR_CODES; code++)
		fprintf(f, "  %d  %s\n", code, status_codes[code].meaning);
}

static void print_usage(FILE *f)
{
	fprintf(f, "Usage: bpflp [OPTIONS] COMMAND [ARGS]\n\n");
	fprintf(f, "Commands (a unique prefix will do):\n");
	for (const struct command *c = commands; c->spec.name; c++)
		print_entry(f, c->synopsis, c->summary);
	fprintf(f, "\nOptions, anywhere on the line ('--' ends them):\n");
	for (size_t i = 0; i < ARRAY_SIZE(global_option_help); i++)
		print_entry(f, global_option_help[i].options, global_option_help[i].help);
	print_exit_codes(f);
}

static void print_command_usage(FILE *f, const struct command *c)
{
	char opt[64];

	fprintf(f, "Usage: bpflp %s\n\n%s\n\nOptions:\n", c->synopsis, c->summary);
	for (const struct verb_option *o = c->spec.options; o && o->name; o++) {
		snprintf(opt, sizeof(opt), "    --%s%s%s", o->name, o->value_name ? " " : "",
			 o->value_name ?: "");
		print_entry(f, opt, o->help);
	}
	print_entry(f, "-j, -p, -v, -h", "as for every command ('--' ends the options)");
	/* status says what it found in its exit status. */
	if (c->run == do_status)
		print_exit_codes(f);
}

/* Summaries are wrapped for the terminal: one line in JSON. */
static void json_summary(const char *summary)
{
	char line[256];
	size_t i;

	for (i = 0; summary[i] && i < sizeof(line) - 1; i++)
		line[i] = summary[i] == '\n' ? ' ' : summary[i];
	line[i] = '\0';
	jsonw_string_field(json_wtr, "summary", line);
}

static void json_command(const struct command *c)
{
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", c->spec.name);
	jsonw_string_field(json_wtr, "usage", c->synopsis);
	json_summary(c->summary);
	jsonw_name(json_wtr, "options");
	jsonw_start_array(json_wtr);
	for (const struct verb_option *o = c->spec.options; o && o->name; o++) {
		char name[64];

		snprintf(name, sizeof(name), "--%s", o->name);
		jsonw_string(json_wtr, name);
	}
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

/* Help for one command, or for all (c NULL): JSON, else text on stderr as bpftool. */
static void show_help(const struct command *c)
{
	if (!json_output) {
		if (c)
			print_command_usage(stderr, c);
		else
			print_usage(stderr);
		return;
	}
	jsonw_start_object(json_wtr);
	jsonw_name(json_wtr, "commands");
	jsonw_start_array(json_wtr);
	for (const struct command *i = commands; i->spec.name; i++)
		if (!c || c == i)
			json_command(i);
	jsonw_end_array(json_wtr);
	if (!c) {
		jsonw_name(json_wtr, "exit_codes");
		jsonw_start_array(json_wtr);
		for (int code = 0; code < STATUS_NR_CODES; code++) {
			jsonw_start_object(json_wtr);
			jsonw_uint_field(json_wtr, "code", code);
			jsonw_string_field(json_wtr, "meaning", status_codes[code].meaning);
			jsonw_end_object(json_wtr);
		}
		jsonw_end_array(json_wtr);
	}
	jsonw_end_object(json_wtr);
}

int do_help(const struct verb_args *args)
{
	const struct command *c = NULL;

	if (args->arg) {
		c = find_command(commands, args->arg);
		if (!c)
			return -EINVAL;
	}
	show_help(c);
	return 0;
}

int do_version(const struct verb_args *args)
{
	(void)args;
	if (json_output) {
		char libbpf[32];

		snprintf(libbpf, sizeof(libbpf), "%u.%u", libbpf_major_version(),
			 libbpf_minor_version());
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "version", BPFLP_VERSION);
		jsonw_uint_field(json_wtr, "abi_version", BPFLP_ABI_VERSION);
		jsonw_uint_field(json_wtr, "record_format", META_VERSION);
		jsonw_string_field(json_wtr, "libbpf_version", libbpf);
		jsonw_string_field(json_wtr, "schema_version", BPFLP_SCHEMA_VERSION);
		jsonw_end_object(json_wtr);
		return 0;
	}
	printf("bpflp %s\n", BPFLP_VERSION);
	printf("abi %u, record format %u\n", BPFLP_ABI_VERSION, META_VERSION);
	printf("libbpf %u.%u\n", libbpf_major_version(), libbpf_minor_version());
	printf("json schema %s\n", BPFLP_SCHEMA_VERSION);
	return 0;
}

enum leading {
	LEADING_RUN,
	LEADING_HELP,
	LEADING_VERSION
};

/* Options before the verb; the verb's parser takes those after it. */
static int parse_leading_options(int argc, char **argv, enum leading *what)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },    { "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
	};
	bool bad = false;
	int opt;

	*what = LEADING_RUN;
	opterr = 0;
	optind = 0;
	/* '+': stop at the verb; its own parser takes the rest. */
	while ((opt = getopt_long(argc, argv, "+jpvhV", options, NULL)) != -1) {
		if (take_global_option(opt))
			continue;
		if (opt == 'h' && *what == LEADING_RUN)
			*what = LEADING_HELP;
		else if (opt == 'V')
			*what = LEADING_VERSION;
		else if (opt != 'h' && !bad) {
			/* The first one; -j after it still makes the error JSON. */
			report_bad_option(argv, NULL);
			bad = true;
		}
	}
	return bad ? -EINVAL : optind;
}

static int run(int argc, char **argv)
{
	const struct command *cmd;
	struct verb_args args;
	enum leading what;
	int verb, err;

	verb = parse_leading_options(argc, argv, &what);
	if (verb < 0)
		return verb;
	if (what == LEADING_VERSION)
		return do_version(NULL);
	if (verb >= argc) {
		if (what == LEADING_HELP) {
			show_help(NULL);
			return 0;
		}
		if (json_output) {
			p_err("no command given: run 'bpflp help'");
		} else {
			print_usage(stderr);
			output_error_in_document(); /* the usage is the error */
		}
		return -EINVAL;
	}
	cmd = find_command(commands, argv[verb]);
	if (!cmd)
		return -EINVAL;
	/* 'bpflp -h apply': the usage, whatever follows. */
	if (what == LEADING_HELP) {
		show_help(cmd);
		return 0;
	}
	err = parse_verb(&cmd->spec, argc - verb, argv + verb, &args);
	if (err)
		return err;
	if (args.help) {
		show_help(cmd);
		return 0;
	}
	err = cmd->run(&args);
	/* Every failure says why, once: an engine that returned an error unsaid gets a line. */
	if (err < 0 && !output_error_reported())
		p_err("%s failed: %s", cmd->spec.name, strerror(-err));
	return err;
}

/*
 * While a patch loads, libbpf holds a descriptor per program and map: a
 * patch of 1000 functions needs more than the usual soft limit of 1024.
 * bpflp never uses select(), so it takes what the hard limit allows, as
 * systemd advises programs that need many descriptors to do.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		pr_debug("cannot raise the descriptor limit: %s\n", strerror(errno));
}

int cli_main(int argc, char **argv)
{
	bool failed;
	int err;

	scan_output_options(argc, argv);
	log_setup_libbpf();
	raise_fd_limit();
	if (output_init()) {
		fprintf(stderr, "bpflp: error: out of memory\n");
		return 1;
	}
	err = run(argc, argv);
	failed = output_fini(err < 0);
	/* Output that never arrived is a failure: bpflp list > /dev/full must not exit 0. */
	if (fflush(stdout) || ferror(stdout)) {
		int werr = errno;

		fprintf(stderr, "bpflp: error: cannot write to standard output: %s\n",
			strerror(werr ?: EIO));
		return 1;
	}
	/* A verb's own exit status (status) is positive; any error is 1. */
	return failed ? 1 : err;
}
