/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bpflp verbs. Each takes its own argv (verb removed) and returns 0 or
 * -errno (exit status 1), or a positive exit status of its own (status).
 */
#ifndef BPFLP_COMMANDS_H
#define BPFLP_COMMANDS_H

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

int do_apply(int argc, char **argv);
int do_list(int argc, char **argv);
int do_show(int argc, char **argv);
int do_disable(int argc, char **argv);
int do_check(int argc, char **argv);
int do_recover(int argc, char **argv);
int do_gc(int argc, char **argv);
int do_status(int argc, char **argv);

/* Prefix-matched dispatch, as bpftool does. */
int run_command(const struct command *cmds, int argc, char **argv);
void print_usage(const struct command *cmds);

#endif /* BPFLP_COMMANDS_H */
