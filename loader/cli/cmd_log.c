// SPDX-License-Identifier: GPL-2.0
/* bpflp log: the history of transactions (history.h), oldest first. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "args.h"
#include "commands.h"
#include "history.h"
#include "log.h"
#include "output.h"

const struct verb_option log_options[] = {
	VERB_VALUE("last", last, "N", "only the N most recent transactions"),
	{},
};

#define MAX_LAST 1000000

static void json_time(__u64 ns)
{
	time_t sec = ns / 1000000000ULL;
	char buf[64], iso[32];
	struct tm tm;

	if (!gmtime_r(&sec, &tm) || !strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(iso, sizeof(iso), "1970-01-01T00:00:00");
	snprintf(buf, sizeof(buf), "%s.%06lluZ", iso,
		 (unsigned long long)(ns % 1000000000ULL) / 1000);
	jsonw_string_field(json_wtr, "time", buf);
	jsonw_uint_field(json_wtr, "time_ns", ns);
}

static void json_entry(const struct history_entry *e)
{
	char replaced[sizeof(e->replaced)], *save, *tok;

	jsonw_start_object(json_wtr);
	json_time(e->time_ns);
	jsonw_string_field(json_wtr, "operation", e->operation);
	jsonw_string_or_null_field(json_wtr, "patch", e->patch);
	jsonw_name(json_wtr, "replaced");
	jsonw_start_array(json_wtr);
	snprintf(replaced, sizeof(replaced), "%s", e->replaced);
	for (tok = strtok_r(replaced, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		jsonw_string(json_wtr, tok);
	jsonw_end_array(json_wtr);
	jsonw_string_field(json_wtr, "outcome", e->outcome);
	jsonw_uint_or_null_field(json_wtr, "duration_us", e->duration_us, e->duration_us >= 0);
	jsonw_uint_field(json_wtr, "pid", e->pid);
	jsonw_uint_or_null_field(json_wtr, "recovered_by", e->recovered_by, e->recovered_by);
	jsonw_string_or_null_field(json_wtr, "error", e->error);
	jsonw_end_object(json_wtr);
}

static void plain_entry(const struct history_entry *e, int patch_width)
{
	time_t sec = e->time_ns / 1000000000ULL;
	char when[32] = "?", duration[32] = "-";
	const char *sep = "";
	struct tm tm;

	if (localtime_r(&sec, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (e->duration_us >= 0)
		snprintf(duration, sizeof(duration), "%lld.%03llds",
			 (long long)e->duration_us / 1000000,
			 (long long)e->duration_us / 1000 % 1000);
	printf("%-19s  %-9s %-*s %-14s %-9s %-7u ", when, e->operation, patch_width,
	       e->patch[0] ? e->patch : "-", e->outcome, duration, e->pid);
	if (e->replaced[0]) {
		printf("replaced %s", e->replaced);
		sep = "; ";
	}
	if (e->recovered_by) {
		printf("%sdied; %s by pid %u", sep,
		       !strcmp(e->outcome, "rolled_forward") ? "completed" : "rolled back",
		       e->recovered_by);
		sep = "; ";
	}
	if (e->error[0])
		printf("%serror: %s", sep, e->error);
	printf("\n");
}

int do_log(const struct verb_args *args)
{
	static struct history h;
	unsigned long last = 0;
	int err, first, width = 5;

	if (args->last) {
		err = parse_number_option("last", args->last, 1, MAX_LAST, &last);
		if (err)
			return err;
	}
	err = history_read(&h);
	if (err) {
		history_free(&h);
		return err;
	}
	first = last && (unsigned long)h.nr > last ? h.nr - (int)last : 0;
	if (h.skipped)
		pr_warn("warning: skipped %d line%s of %s that %s not history records (edited by hand, or cut short)\n",
			h.skipped, h.skipped == 1 ? "" : "s", h.path, h.skipped == 1 ? "is" : "are");
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "history_file", h.path);
		jsonw_uint_field(json_wtr, "skipped", h.skipped);
		jsonw_name(json_wtr, "entries");
		jsonw_start_array(json_wtr);
		for (int i = first; i < h.nr; i++)
			json_entry(&h.entries[i]);
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
		history_free(&h);
		return 0;
	}
	if (!h.nr) {
		printf("no transactions recorded in %s\n", h.path);
		history_free(&h);
		return 0;
	}
	for (int i = first; i < h.nr; i++) {
		int n = strlen(h.entries[i].patch);

		if (n > width)
			width = n;
	}
	printf("%-19s  %-9s %-*s %-14s %-9s %-7s %s\n", "TIME", "OPERATION", width, "PATCH",
	       "OUTCOME", "DURATION", "PID", "DETAILS");
	for (int i = first; i < h.nr; i++)
		plain_entry(&h.entries[i], width);
	history_free(&h);
	return 0;
}
