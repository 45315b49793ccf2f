/* SPDX-License-Identifier: GPL-2.0 */
/* Argument parsing shared by the verbs: flags, then exactly the positionals wanted. */
#ifndef BPFLP_ARGS_H
#define BPFLP_ARGS_H

#include <stdbool.h>

struct verb_flag {
	const char *name;	/* "--stack" */
	bool *set;
};

/*
 * Accept the listed flags anywhere and exactly one positional argument
 * (what names it in messages), or none when what is NULL. Unknown options,
 * missing or extra arguments print one error line and return -EINVAL.
 */
int parse_verb_args(const char *verb, int argc, char **argv, const struct verb_flag *flags,
		    const char **positional, const char *what);

/* A NAME[@VERSION] given by the user: 0, or -EINVAL with one error line naming it. */
int check_patch_spec(const char *spec);

#endif /* BPFLP_ARGS_H */
