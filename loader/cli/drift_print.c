// SPDX-License-Identifier: GPL-2.0
/* How list, status and recover show drift (drift.h), in JSON and plain text. */
#include <stdio.h>
#include "drift_print.h"
#include "output.h"

static const char *const fix_advice[] = {
	[DRIFT_REPIN] = "the next bpflp command pins it again",
	[DRIFT_REATTACH] = "'bpflp recover' attaches it again",
	[DRIFT_REAPPLY] = "apply the patch object again",
	[DRIFT_RECORD] = "'bpflp recover' corrects the records",
	[DRIFT_NONE] = "bpflp cannot repair this",
	[DRIFT_DETACH] = "the next bpflp command detaches it",
};

void drift_print_json(const char *field, const struct drift_report *rep)
{
	jsonw_name(json_wtr, field);
	jsonw_start_array(json_wtr);
	for (int i = 0; i < rep->nr; i++) {
		const struct drift *d = &rep->items[i];

		jsonw_start_object(json_wtr);
		jsonw_string_or_null_field(json_wtr, "patch", d->patch);
		jsonw_string_field(json_wtr, "problem", d->problem);
		jsonw_string_field(json_wtr, "repair", drift_fix_name(d->fix));
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	if (rep->nr_lost)
		jsonw_uint_field(json_wtr, "drift_not_shown", rep->nr_lost);
}

void drift_print_plain(const char *heading, const struct drift_report *rep, bool advise)
{
	if (!rep->nr)
		return;
	printf("%s\n", heading);
	for (int i = 0; i < rep->nr; i++) {
		const struct drift *d = &rep->items[i];

		printf("  %s%s%s", d->patch, d->patch[0] ? ": " : "", d->problem);
		if (advise)
			printf(" (%s)", fix_advice[d->fix <= DRIFT_DETACH ? d->fix : DRIFT_NONE]);
		printf("\n");
	}
	if (rep->nr_lost)
		printf("  ... and %d more\n", rep->nr_lost);
}
