// SPDX-License-Identifier: GPL-2.0
/* The transactions: bpflp apply, disable and recover. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "drift_print.h"
#include "kernel.h"
#include "output.h"
#include "transaction.h"

static void print_apply_json(const char *path, const struct apply_result *res)
{
	char hex[SHA256_HEX_SIZE];

	jsonw_start_object(json_wtr);
	static const char *const actions[] = {
		[APPLY_DONE] = "applied",
		[APPLY_ALREADY_ACTIVE] = "none",
		[APPLY_REPAIRED] = "repaired",
	};

	jsonw_string_field(json_wtr, "action", actions[res->outcome]);
	jsonw_string_field(json_wtr, "object", path);
	jsonw_string_field(json_wtr, "name", res->meta.name);
	jsonw_uint_field(json_wtr, "version", res->meta.version);
	jsonw_string_field(json_wtr, "mode", patch_mode_name(res->meta.mode));
	jsonw_uint_field(json_wtr, "slot", res->meta.slot);
	jsonw_uint_field(json_wtr, "functions", res->meta.nr_funcs);
	sha256_hex(res->meta.digest, sizeof(res->meta.digest), hex);
	jsonw_string_field(json_wtr, "sha256", hex);
	jsonw_name(json_wtr, "replaced");
	jsonw_start_array(json_wtr);
	for (int i = 0; i < res->nr_replaced; i++)
		jsonw_string(json_wtr, res->replaced[i]);
	jsonw_end_array(json_wtr);
	if (res->outcome == APPLY_REPAIRED)
		drift_print_json("repaired", &res->repairs);
	jsonw_end_object(json_wtr);
}

static void print_apply_plain(const struct apply_result *res)
{
	if (res->outcome == APPLY_ALREADY_ACTIVE) {
		printf("%s@%u is already active: nothing to do\n", res->meta.name, res->meta.version);
		return;
	}
	if (res->outcome == APPLY_REPAIRED) {
		printf("%s@%u was active with pieces detached by hand: repaired\n", res->meta.name,
		       res->meta.version);
		drift_print_plain("repaired:", &res->repairs, false);
		return;
	}
	printf("applied %s@%u (%s, %u function%s)", res->meta.name, res->meta.version,
	       patch_mode_name(res->meta.mode), res->meta.nr_funcs, res->meta.nr_funcs == 1 ? "" : "s");
	for (int i = 0; i < res->nr_replaced; i++)
		printf("%s%s", i ? ", " : "; replaced ", res->replaced[i]);
	printf("\n");
}

const struct verb_option apply_options[] = {
	VERB_FLAG("stack", stack, "add the patch on top of the active ones instead of replacing them"),
	VERB_FLAG("allow-insecure", allow_insecure,
		  "accept an object not owned by root or writable by group or others"),
	{ },
};

int do_apply(const struct verb_args *args)
{
	const char *path = args->arg;
	struct apply_result res;
	int err;

	/* Before the object is read: without the capabilities, that is the only error. */
	err = kernel_require_caps();
	if (err)
		return err;
	err = txn_apply(path, args->stack, args->allow_insecure, &res);
	if (err)
		return err;
	if (json_output)
		print_apply_json(path, &res);
	else
		print_apply_plain(&res);
	return 0;
}

int do_disable(const struct verb_args *args)
{
	const char *spec = args->arg;
	struct disable_result res;
	int err;

	err = check_patch_spec(spec);
	if (err)
		return err;
	err = txn_disable(spec, &res);
	if (err)
		return err;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "action", "disabled");
		jsonw_string_field(json_wtr, "name", res.meta.name);
		jsonw_uint_field(json_wtr, "version", res.meta.version);
		jsonw_end_object(json_wtr);
	} else {
		printf("disabled %s@%u\n", res.meta.name, res.meta.version);
	}
	return 0;
}

int do_recover(const struct verb_args *args)
{
	static struct recover_result res;
	const char *action;
	bool stuck;
	int err;

	(void)args;
	res.repair_drift = true;
	err = txn_recover(&res);
	if (err)
		return err;
	action = !res.pending ? "none" : res.rolled_forward ? "completed" : "rolled_back";
	stuck = drift_unrepairable(&res.remaining);
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "action", action);
		if (res.pending) {
			jsonw_string_field(json_wtr, "operation", res.op);
			jsonw_string_field(json_wtr, "patch_dir", res.dir);
		}
		drift_print_json("repaired", &res.repairs);
		drift_print_json("not_repaired", &res.remaining);
		if (stuck) {
			jsonw_string_field(json_wtr, "error", "some drift cannot be repaired: see not_repaired");
			output_error_in_document();
		}
		jsonw_end_object(json_wtr);
		return stuck ? -EUCLEAN : 0;
	}
	if (!res.pending)
		printf("no interrupted transaction%s\n", res.repairs.nr ? "" : ": nothing to recover");
	else
		printf("%s the interrupted %s of %s\n",
		       res.rolled_forward ? "completed" : "rolled back", res.op, res.dir);
	drift_print_plain("repaired:", &res.repairs, false);
	drift_print_plain("not repaired:", &res.remaining, true);
	if (stuck) {
		p_err("some drift cannot be repaired: see 'not repaired' above");
		return -EUCLEAN;
	}
	return 0;
}

int do_gc(const struct verb_args *args)
{
	struct gc_result res = {};
	int err;

	(void)args;
	err = txn_gc(&res);
	if (err) {
		free(res.removed);
		return err;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_name(json_wtr, "removed");
		jsonw_start_array(json_wtr);
		for (int i = 0; i < res.nr_removed; i++) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "name", res.removed[i].name);
			jsonw_uint_field(json_wtr, "version", res.removed[i].version);
			jsonw_string_field(json_wtr, "state", patch_status_name(res.removed[i].status));
			jsonw_end_object(json_wtr);
		}
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	} else if (!res.nr_removed) {
		printf("no replaced or disabled patches: nothing to remove\n");
	}
	for (int i = 0; !json_output && i < res.nr_removed; i++)
		printf("removed %s@%u (%s)\n", res.removed[i].name, res.removed[i].version,
		       patch_status_name(res.removed[i].status));
	free(res.removed);
	return 0;
}
