// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "livepatch_print.h"
#include "livepatch_txn.h"
#include "output.h"

/* Kept (forced) modules still loaded: after a reboot the record may name gone ones. */
static int kept_loaded(struct lp_kept *kept)
{
	int nr = 0;

	lp_kept_read(kept);
	for (__u32 i = 0; i < kept->nr; i++)
		if (kept->modules[i][0] && lp_module_loaded(kept->modules[i]))
			memmove(kept->modules[nr++], kept->modules[i], sizeof(kept->modules[i]));
	kept->nr = nr;
	return nr;
}

static bool is_kept(const char *module)
{
	struct lp_kept kept;

	kept_loaded(&kept);
	for (__u32 i = 0; i < kept.nr; i++)
		if (!strcmp(kept.modules[i], module))
			return true;
	return false;
}

void livepatch_print_json(const char *dir)
{
	struct lp_record rec;
	struct lp_status st;

	jsonw_name(json_wtr, "livepatch_module");
	if (lp_record_read(dir, &rec)) {
		jsonw_null(json_wtr);
		return;
	}
	lp_status_read(rec.module, &st);
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", rec.module);
	jsonw_string_field(json_wtr, "path", rec.path);
	jsonw_bool_field(json_wtr, "loaded", st.loaded);
	jsonw_uint_or_null_field(json_wtr, "enabled", st.enabled, st.enabled >= 0);
	jsonw_uint_or_null_field(json_wtr, "transition", st.transition, st.transition >= 0);
	jsonw_bool_field(json_wtr, "forced", is_kept(rec.module));
	jsonw_name(json_wtr, "functions");
	jsonw_start_array(json_wtr);
	for (int i = 0; i < st.nr_funcs; i++)
		jsonw_string(json_wtr, st.funcs[i]);
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

void livepatch_print_plain(const char *dir)
{
	struct lp_record rec;
	struct lp_status st;

	if (lp_record_read(dir, &rec))
		return;
	lp_status_read(rec.module, &st);
	printf("    livepatch module %s: ", rec.module);
	if (!st.loaded)
		printf("not loaded");
	else if (!st.present)
		printf("loaded, no livepatch in %s", LIVEPATCH_SYSFS);
	else
		printf("%s, transition %d", st.enabled == 1 ? "enabled" : "disabled", st.transition);
	if (is_kept(rec.module))
		printf(", forced");
	for (int i = 0; i < st.nr_funcs; i++)
		printf("%s%s", i ? " " : ", patches ", st.funcs[i]);
	printf("\n");
}

void livepatch_kept_print_json(void)
{
	struct lp_kept kept;

	kept_loaded(&kept);
	jsonw_name(json_wtr, "livepatch_kept");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < kept.nr; i++)
		jsonw_string(json_wtr, kept.modules[i]);
	jsonw_end_array(json_wtr);
}

void livepatch_kept_print_plain(void)
{
	struct lp_kept kept;

	kept_loaded(&kept);
	for (__u32 i = 0; i < kept.nr; i++)
		printf("livepatch module %s: forced, stays loaded (the kernel never releases the module of a patch whose transition was forced)\n",
		       kept.modules[i]);
}
