// SPDX-License-Identifier: GPL-2.0
/* The transactions: bpflp apply, disable and recover. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "commands.h"
#include "config.h"
#include "drift_print.h"
#include "history.h"
#include "kernel.h"
#include "livepatch_declared.h"
#include "livepatch_module.h"
#include "output.h"
#include "signature.h"
#include "txn.h"

static const char *const shadow_handover_names[] = {
	[SHADOW_CREATED] = "created",
	[SHADOW_INHERITED] = "inherited",
	[SHADOW_MIGRATED] = "migrated",
};

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
	jsonw_string_or_null_field(json_wtr, "livepatch_module", res->module);
	jsonw_string_or_null_field(json_wtr, "livepatch_module_removed", res->module_removed);
	if (res->outcome == APPLY_REPAIRED)
		drift_print_json("repaired", &res->repairs);
	jsonw_name(json_wtr, "programs");
	if (res->outcome == APPLY_DONE) {
		jsonw_start_object(json_wtr);
		jsonw_int_field(json_wtr, "new", res->nr_new);
		jsonw_int_field(json_wtr, "changed", res->nr_changed);
		jsonw_int_field(json_wtr, "unchanged", res->nr_unchanged);
		jsonw_int_field(json_wtr, "dropped", res->nr_dropped);
		jsonw_int_field(json_wtr, "kept", res->nr_kept);
		jsonw_end_object(json_wtr);
	} else {
		jsonw_null(json_wtr);
	}
	jsonw_name(json_wtr, "shadows");
	jsonw_start_array(json_wtr);
	for (int i = 0; i < res->nr_shadows; i++) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "name", res->shadows[i].name);
		jsonw_string_field(json_wtr, "handover", shadow_handover_names[res->shadows[i].how]);
		jsonw_uint_field(json_wtr, "converted", res->shadows[i].converted);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
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
	       patch_mode_name(res->meta.mode), res->meta.nr_funcs,
	       res->meta.nr_funcs == 1 ? "" : "s");
	if (res->module[0])
		printf(" with livepatch module %s", res->module);
	for (int i = 0; i < res->nr_replaced; i++)
		printf("%s%s", i ? ", " : "; replaced ", res->replaced[i]);
	for (int i = 0; i < res->nr_shadows; i++) {
		printf("%s%s %s", i ? ", " : "; shadow ", res->shadows[i].name,
		       shadow_handover_names[res->shadows[i].how]);
		if (res->shadows[i].how == SHADOW_MIGRATED)
			printf(" (%llu entries)", (unsigned long long)res->shadows[i].converted);
	}
	if (res->module_removed[0])
		printf("; livepatch module %s removed", res->module_removed);
	if (res->nr_kept)
		printf("; %d unchanged program%s kept as %s ran", res->nr_kept,
		       res->nr_kept == 1 ? "" : "s", res->nr_kept == 1 ? "it" : "they");
	printf("\n");
}

const struct verb_option apply_options[] = {
	VERB_FLAG("stack", stack, "add the patch on top of the active ones instead of replacing them"),
	VERB_FLAG("dispatch", dispatch,
		  "run its fmod_ret programs from one stub per function (replaces then attach nothing)"),
	VERB_FLAG("allow-insecure", allow_insecure,
		  "accept an object not owned by root or writable by group or others"),
	VERB_VALUE("module", module, "FILE.ko",
		   "the livepatch module the patch carries (replace = true), applied with it"),
	VERB_VALUE("timeout", timeout, "SECONDS",
		   "how long a livepatch transition may take before it is reversed (default 60)"),
	VERB_VALUE("sig", sig, "FILE", "the object's detached signature (default OBJ.sig)"),
	{},
};

const struct verb_option disable_options[] = {
	VERB_VALUE("timeout", timeout, "SECONDS",
		   "how long the livepatch module's transition may take (default 60)"),
	VERB_FLAG("keep-shadow", keep_shadow,
		  "keep the patch's shadow variables (in shadow/kept/) for a later patch to take over"),
	{},
};

/* --timeout SECONDS: 0 when not given, else 1-3600; -EINVAL (reported) otherwise. */
static int parse_timeout(const char *arg, int *timeout_s)
{
	char *end;
	long v;

	*timeout_s = 0;
	if (!arg)
		return 0;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > 3600) {
		p_err("bad --timeout '%s': give a whole number of seconds from 1 to 3600", arg);
		return -EINVAL;
	}
	*timeout_s = v;
	return 0;
}

/* --module FILE: checked before anything changes. */
static int check_module_arg(const char *arg, struct lp_module_file *f)
{
	char why[768];
	int err;

	if (!arg)
		return 0;
	err = lp_module_check(arg, f, why, sizeof(why));
	if (err)
		p_err("%s", why);
	return err;
}

/*
 * The signature policy (config.h) on the object, before anything reads it
 * but the check. Its bytes are bound to the check by their digest
 * (txn_apply).
 */
static int check_object_signature(const struct verb_args *args, struct bpflp_config *cfg,
				  struct patch_signer *signer)
{
	int err = config_load(cfg);

	if (err)
		return err;
	signature_policy_notice(cfg);
	return signature_check_file(cfg, args->arg, NULL, 0, args->sig, false, signer);
}

/* The module the kernel will read again: it must be root's unless --allow-insecure. */
static int check_module_signature(const struct verb_args *args, const struct bpflp_config *cfg,
				  const char *module_path)
{
	struct patch_signer module_signer;

	if (!module_path)
		return 0;
	return signature_check_file(cfg, module_path, NULL, 0, NULL, !args->allow_insecure,
				    &module_signer);
}

/* The history record of an apply, boot or replace that reached its transaction. */
static void log_apply(const char *op, const struct apply_result *res, __s64 started_us, int err)
{
	static struct history_entry e;
	size_t len = 0;

	memset(&e, 0, sizeof(e));
	if (res->meta.name[0])
		snprintf(e.patch, sizeof(e.patch), "%s@%u", res->meta.name, res->meta.version);
	for (int i = 0; !err && i < res->nr_replaced; i++)
		len += snprintf(e.replaced + len, sizeof(e.replaced) - len, "%s%s", i ? "," : "",
				res->replaced[i]);
	if (!strcmp(op, "apply") && !err && res->nr_replaced)
		op = "replace";
	snprintf(e.operation, sizeof(e.operation), "%s", op);
	snprintf(e.outcome, sizeof(e.outcome), "%s",
		 res->outcome == APPLY_ALREADY_ACTIVE ? "unchanged" :
		 res->outcome == APPLY_REPAIRED       ? "repaired" :
							"committed");
	history_finish(&e, started_us, err);
}

int apply_object(const struct verb_args *args, const char *op)
{
	const char *path = args->arg;
	static struct lp_module_file module;
	static char declared_ko[PATH_MAX];
	static struct patch_signer signer;
	const char *module_arg = args->module;
	struct bpflp_config cfg;
	struct apply_result res;
	int err, timeout_s;
	__s64 started_us;

	err = parse_timeout(args->timeout, &timeout_s);
	if (err)
		return err;
	if (args->stack && args->module) {
		p_err("cannot use --stack with --module: a livepatch module replaces every other livepatch (.replace = true); apply the patch without --stack");
		return -EINVAL;
	}
	/* Before the object is read: without the capabilities, that is the only error. */
	err = kernel_require_caps();
	if (!err)
		err = check_object_signature(args, &cfg, &signer);
	if (!err)
		err = livepatch_module_for(path, &module_arg, declared_ko, sizeof(declared_ko));
	if (!err && args->stack && module_arg) {
		p_err("cannot use --stack with a patch that carries a livepatch module (%s): a livepatch module replaces every other livepatch (.replace = true); apply the patch without --stack",
		      module_arg);
		return -EINVAL;
	}
	if (!err)
		err = check_module_signature(args, &cfg, module_arg);
	if (!err)
		err = check_module_arg(module_arg, &module);
	if (err)
		return err;
	started_us = history_clock_us();
	err = txn_apply(path, args->stack, args->dispatch, args->allow_insecure,
			module_arg ? &module : NULL, timeout_s, &signer, &res);
	log_apply(op, &res, started_us, err);
	if (err)
		return err;
	if (json_output)
		print_apply_json(path, &res);
	else
		print_apply_plain(&res);
	return 0;
}

int do_apply(const struct verb_args *args)
{
	return apply_object(args, "apply");
}

static void log_disable(const char *spec, const struct disable_result *res, __s64 started_us, int err)
{
	static struct history_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.operation, sizeof(e.operation), "disable");
	snprintf(e.outcome, sizeof(e.outcome), "committed");
	if (!err)
		snprintf(e.patch, sizeof(e.patch), "%s@%u", res->meta.name, res->meta.version);
	else
		snprintf(e.patch, sizeof(e.patch), "%s", spec); /* kept if NAME@VERSION */
	history_finish(&e, started_us, err);
}

int do_disable(const struct verb_args *args)
{
	const char *spec = args->arg;
	struct disable_result res = {};
	int err, timeout_s;
	__s64 started_us;

	err = check_patch_spec(spec) ?: parse_timeout(args->timeout, &timeout_s);
	if (err)
		return err;
	started_us = history_clock_us();
	err = txn_disable(spec, timeout_s, args->keep_shadow, &res);
	log_disable(spec, &res, started_us, err);
	if (err)
		return err;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "action", "disabled");
		jsonw_string_field(json_wtr, "name", res.meta.name);
		jsonw_uint_field(json_wtr, "version", res.meta.version);
		jsonw_string_or_null_field(json_wtr, "livepatch_module_removed", res.module_removed);
		jsonw_end_object(json_wtr);
	} else {
		printf("disabled %s@%u", res.meta.name, res.meta.version);
		if (res.module_removed[0])
			printf("; livepatch module %s removed", res.module_removed);
		printf("\n");
	}
	return 0;
}

static void log_recover(__s64 started_us, int err, bool stuck)
{
	static struct history_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.operation, sizeof(e.operation), "recover");
	snprintf(e.outcome, sizeof(e.outcome), stuck ? "failed" : "repaired");
	if (stuck)
		snprintf(e.error, sizeof(e.error),
			 "some drift cannot be repaired: see 'bpflp status'");
	history_finish(&e, started_us, err);
}

int do_recover(const struct verb_args *args)
{
	static struct recover_result res;
	const char *action;
	__s64 started_us;
	bool stuck;
	int err;

	(void)args;
	res.repair_drift = true;
	started_us = history_clock_us();
	err = txn_recover(&res);
	drift_move_failed(&res.repairs, &res.remaining); /* tried, and could not */
	stuck = !err && drift_unrepairable(&res.remaining);
	/* The transaction it finished has its own record (txn_core.c); this one is for the drift. */
	if (err || stuck || res.repairs.nr)
		log_recover(started_us, err, stuck);
	if (err)
		return err;
	action = !res.pending ? "none" : res.rolled_forward ? "completed" : "rolled_back";
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
			jsonw_string_field(json_wtr, "error",
					   "some drift cannot be repaired: see not_repaired");
			output_error_in_document();
		}
		jsonw_end_object(json_wtr);
		return stuck ? -EUCLEAN : 0;
	}
	if (!res.pending)
		printf("no interrupted transaction%s\n",
		       res.repairs.nr ? "" : ": nothing to recover");
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
			jsonw_string_field(json_wtr, "state",
					   patch_status_name(res.removed[i].status));
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
