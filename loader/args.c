// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "args.h"
#include "output.h"
#include "store.h"

static bool take_flag(const struct verb_flag *flags, const char *arg)
{
	for (; flags && flags->name; flags++) {
		if (!strcmp(flags->name, arg)) {
			*flags->set = true;
			return true;
		}
	}
	return false;
}

int parse_verb_args(const char *verb, int argc, char **argv, const struct verb_flag *flags,
		    const char **positional, const char *what)
{
	const char *found = NULL;

	for (int i = 0; i < argc; i++) {
		if (take_flag(flags, argv[i]))
			continue;
		if (argv[i][0] == '-' && argv[i][1]) {
			p_err("unknown option '%s' for %s: run 'bpflp help'", argv[i], verb);
			return -EINVAL;
		}
		if (!what) {
			p_err("%s takes no arguments, got '%s'", verb, argv[i]);
			return -EINVAL;
		}
		if (found) {
			p_err("%s takes one %s, got '%s' and '%s'", verb, what, found, argv[i]);
			return -EINVAL;
		}
		found = argv[i];
	}
	if (what && !found) {
		p_err("%s needs a %s: run 'bpflp help'", verb, what);
		return -EINVAL;
	}
	if (positional)
		*positional = found;
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
