// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include "output.h"

bool json_output;
bool pretty_output;
json_writer_t *json_wtr;

int output_init(void)
{
	if (!json_output)
		return 0;
	json_wtr = jsonw_new(stdout, pretty_output);
	return json_wtr ? 0 : -1;
}

void output_fini(void)
{
	jsonw_destroy(&json_wtr);
}

void p_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* Commands write JSON only once they succeed, so the error is the document. */
	if (json_wtr) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "error", msg);
		jsonw_end_object(json_wtr);
		return;
	}
	fprintf(stderr, "bpflp: error: %s\n", msg);
}
