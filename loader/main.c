// SPDX-License-Identifier: GPL-2.0
/* bpflp: live-patch the running kernel with cumulative BPF patches. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "log.h"
#include "output.h"

static const struct command commands[] = {
	{ "apply", do_apply, "apply OBJ [--stack] [--allow-insecure]\n"
	  "                         apply a patch; replaces every active patch unless --stack" },
	{ "list", do_list, "list                   every patch bpflp knows, with its state" },
	{ "show", do_show, "show NAME[@VERSION]    per function: attach type, ids, pins, calls, overrides" },
	{ "disable", do_disable, "disable NAME[@VERSION] turn a patch off atomically and detach it" },
	{ "check", do_check, "check OBJ [--allow-insecure]\n"
	  "                         preflight a patch object; changes nothing" },
	{ "recover", do_recover, "recover                finish or roll back a transaction whose bpflp died" },
	{ "status", do_status, "status                 is the state consistent with the kernel? exit 0 yes,\n"
	  "                         2 drift (recover repairs it), 3 transaction pending,\n"
	  "                         4 cannot be repaired, 5 no BPF trampolines or bpffs" },
	{ "gc", do_gc, "gc                     remove the records of replaced and disabled patches" },
	{ NULL, NULL, NULL },
};

void print_usage(const struct command *cmds)
{
	fprintf(stderr, "Usage: bpflp [-j|--json] [-p|--pretty] [-v|--verbose] COMMAND [ARGS]\n\nCommands:\n");
	for (; cmds->name; cmds++)
		fprintf(stderr, "  %s\n", cmds->usage);
	fprintf(stderr, "  help                   this text\n");
}

int run_command(const struct command *cmds, int argc, char **argv)
{
	const struct command *match = NULL;
	size_t len;

	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "--help")) {
		print_usage(cmds);
		return argc < 1 ? -1 : 0;
	}
	len = strlen(argv[0]);
	for (const struct command *c = cmds; c->name; c++) {
		if (strncmp(c->name, argv[0], len))
			continue;
		if (match) {
			p_err("command '%s' is ambiguous: type more of it", argv[0]);
			return -1;
		}
		match = c;
	}
	if (!match) {
		p_err("unknown command '%s': run 'bpflp help'", argv[0]);
		return -1;
	}
	return match->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *bad_option = NULL;
	int opt, err;

	/* Our own message for a bad option, in JSON when -j is given. */
	opterr = 0;
	/* '+': stop at the verb, so each verb parses its own options. */
	while ((opt = getopt_long(argc, argv, "+jpvh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = pretty_output = true;
			break;
		case 'v':
			log_max_level = LOG_DEBUG;
			break;
		case 'h':
			print_usage(commands);
			return 0;
		default:
			bad_option = argv[optind - 1];
			break;
		}
	}
	log_setup_libbpf();
	if (output_init()) {
		fprintf(stderr, "bpflp: error: out of memory\n");
		return 1;
	}
	if (bad_option) {
		p_err("unknown option '%s': run 'bpflp help'", bad_option);
		err = -1;
	} else if (optind >= argc && json_output) {
		p_err("no command given: run 'bpflp help'");
		err = -1;
	} else {
		err = run_command(commands, argc - optind, argv + optind);
	}
	output_fini();
	/* Output that never arrived is a failure: bpflp list > /dev/full must not exit 0. */
	if (fflush(stdout) || ferror(stdout)) {
		int werr = errno;

		fprintf(stderr, "bpflp: error: cannot write to standard output: %s\n",
			strerror(werr ?: EIO));
		return 1;
	}
	/* A verb's own exit status (status) is positive; any error is 1. */
	return err < 0 ? 1 : err;
}
