// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include "declared.h"
#include "declared_print.h"
#include "output.h"
#include "shadow.h"

/* The live shadow's entries: -1 when it cannot be read (removed by hand). */
static long long shadow_entries(const struct declared_shadow *s, char *pin, size_t size)
{
	__u64 count;

	snprintf(pin, size, "%s/%s", SHADOW_DIR, s->name);
	return shadow_count_entries(pin, &count) ? -1 : (long long)count;
}

void declared_print_json(const char *dir)
{
	struct patch_declared decl;
	char pin[PATH_MAX];

	/* An unreadable record shows as none: list must not fail on one patch. */
	if (declared_read(dir, &decl))
		decl.nr_states = decl.nr_shadows = 0;
	jsonw_name(json_wtr, "states");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < decl.nr_states; i++) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "id", decl.states[i].id);
		jsonw_uint_field(json_wtr, "version", decl.states[i].version);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "shadows");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < decl.nr_shadows; i++) {
		const struct declared_shadow *s = &decl.shadows[i];
		long long entries = shadow_entries(s, pin, sizeof(pin));

		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "name", s->name);
		jsonw_string_field(json_wtr, "layout", s->layout);
		jsonw_uint_field(json_wtr, "value_size", s->value_size);
		jsonw_uint_field(json_wtr, "max_entries", s->max_entries);
		jsonw_name(json_wtr, "entries");
		if (entries >= 0)
			jsonw_uint(json_wtr, entries);
		else
			jsonw_null(json_wtr);
		jsonw_string_field(json_wtr, "pin", pin);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
}

void declared_print_plain(const char *dir)
{
	struct patch_declared decl;
	char pin[PATH_MAX];

	if (declared_read(dir, &decl))
		return;
	for (__u32 i = 0; i < decl.nr_states; i++)
		printf("%s%u@%u%s", i ? ", " : "  states: ", decl.states[i].id, decl.states[i].version,
		       i + 1 == decl.nr_states ? "\n" : "");
	for (__u32 i = 0; i < decl.nr_shadows; i++) {
		const struct declared_shadow *s = &decl.shadows[i];
		long long entries = shadow_entries(s, pin, sizeof(pin));

		printf("  shadow %s: %s, ", s->name, s->layout);
		if (entries >= 0)
			printf("%lld of %u entries, %s\n", entries, s->max_entries, pin);
		else
			printf("cannot read %s\n", pin);
	}
}
