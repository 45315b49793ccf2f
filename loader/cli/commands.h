/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bpflp verbs. Each gets its parsed command line and returns 0 or
 * -errno (exit status 1), or a positive exit status of its own (status).
 */
#ifndef BPFLP_COMMANDS_H
#define BPFLP_COMMANDS_H

#include "args.h"

struct command {
	struct verb_spec spec; /* name, options, argument */
	int (*run)(const struct verb_args *args);
	const char *synopsis; /* "apply OBJ [--stack] [--allow-insecure]" */
	const char *summary;  /* one line or two, for help */
};

int do_apply(const struct verb_args *args);
int do_list(const struct verb_args *args);
int do_show(const struct verb_args *args);
int do_disable(const struct verb_args *args);
int do_check(const struct verb_args *args);
int do_probe(const struct verb_args *args);
int do_recover(const struct verb_args *args);
int do_gc(const struct verb_args *args);
int do_status(const struct verb_args *args);
int do_install(const struct verb_args *args);
int do_uninstall(const struct verb_args *args);
int do_boot(const struct verb_args *args);
int do_log(const struct verb_args *args);
int do_stats(const struct verb_args *args);
int do_help(const struct verb_args *args);
int do_version(const struct verb_args *args);
int do_sign(const struct verb_args *args);

/* apply OBJ as do_apply, recorded in the history as operation op ("boot"). */
int apply_object(const struct verb_args *args, const char *op);

/* The verbs' own options, next to the verbs. */
extern const struct verb_option apply_options[];
extern const struct verb_option check_options[];
extern const struct verb_option disable_options[];
extern const struct verb_option install_options[];
extern const struct verb_option show_options[];
extern const struct verb_option log_options[];
extern const struct verb_option sign_options[];

/* Every verb, ended by { }. */
extern const struct command commands[];

/* Prefix-matched, as bpftool does: NULL (and one error printed) if none or several. */
const struct command *find_command(const struct command *cmds, const char *word);

/* The whole command line: the exit status. */
int cli_main(int argc, char **argv);

#endif /* BPFLP_COMMANDS_H */
