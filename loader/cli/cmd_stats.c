// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp stats [on|off]: whether every patch counts its calls and overrides
 * (what `bpflp show` reports). Off saves the patched call a map lookup and
 * an atomic or two, the last cost bpflp adds to a bare fmod_ret program
 * (docs/benchmarks.md). The setting lives in bpflp_state, so it holds for
 * patches applied later too, until it is switched back or the machine
 * reboots (on, as kernel.bpf_stats_enabled is off again).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "history.h"
#include "output.h"
#include "store.h"
#include "txn.h"

static void log_switch(bool off, bool changed, __s64 started_us, int err)
{
	static struct history_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.operation, sizeof(e.operation), "stats-%s", off ? "off" : "on");
	snprintf(e.outcome, sizeof(e.outcome), changed ? "committed" : "unchanged");
	history_finish(&e, started_us, err);
}

static void print_setting(bool off, bool changed)
{
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "stats", off ? "off" : "on");
		jsonw_bool_field(json_wtr, "changed", changed);
		jsonw_end_object(json_wtr);
	} else if (off) {
		printf("call counters off%s: 'bpflp show' counts no calls until 'bpflp stats on'\n",
		       changed ? "" : " (already)");
	} else {
		printf("call counters on%s: 'bpflp show' counts every patched call\n",
		       changed ? "" : " (already)");
	}
}

int do_stats(const struct verb_args *args)
{
	struct bpflp_state state;
	bool off, changed = false;
	__s64 started_us;
	int err;

	if (!args->arg) {
		err = store_read_state(&state);
		if (err) {
			p_err("cannot read %s/bpflp_state: %s", STORE_ROOT, strerror(-err));
			return err;
		}
		print_setting(state.stats_off, false);
		return 0;
	}
	if (strcmp(args->arg, "on") && strcmp(args->arg, "off")) {
		p_err("bad stats setting '%s': give on or off, or nothing to print it", args->arg);
		return -EINVAL;
	}
	off = !strcmp(args->arg, "off");
	started_us = history_clock_us();
	err = txn_stats(off, &changed);
	log_switch(off, changed, started_us, err);
	if (err)
		return err;
	print_setting(off, changed);
	return 0;
}
