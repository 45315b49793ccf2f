// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp check OBJ: everything apply verifies before it touches the kernel,
 * plus a verifier run, with gates shut and no pinned map shared, so nothing
 * changes. Prints a verdict per function, the route bpflp has to it on
 * this kernel (as probe does), and how its program compares with the one
 * running there (patch_changes.h): what a cumulative replace would change.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "args.h"
#include "commands.h"
#include "kernel.h"
#include "livepatch_declared.h"
#include "livepatch_module.h"
#include "output.h"
#include "patch_changes.h"
#include "patch_object.h"
#include "route.h"
#include "shadow.h"

const struct verb_option check_options[] = {
	VERB_FLAG("allow-insecure", allow_insecure,
		  "accept an object not owned by root or writable by group or others"),
	VERB_VALUE("module", module, "FILE.ko", "also check the livepatch module the patch carries"),
	{},
};

/* The module's verdict: what it is, and the functions it patches (all found). */
static void print_module(const struct lp_module_file *f)
{
	char list[sizeof(f->patches)], *save = NULL, *entry;

	snprintf(list, sizeof(list), "%s", f->patches);
	if (!json_output) {
		printf("  ok  livepatch module %s (%s): built for this kernel, patches %s%s\n",
		       f->name, f->path, f->patches,
		       f->replace_in_code ?
			       "; kpatch-build sets .replace in code: bpflp checks it replaced the previous livepatch once loaded, and reverses it if not" :
			       "");
		return;
	}
	jsonw_name(json_wtr, "livepatch_module");
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", f->name);
	jsonw_string_field(json_wtr, "path", f->path);
	jsonw_string_field(json_wtr, "verdict", "ok");
	jsonw_string_field(json_wtr, "replace", f->replace_in_code ? "checked_at_load" : "read");
	jsonw_name(json_wtr, "patches");
	jsonw_start_array(json_wtr);
	for (entry = strtok_r(list, " ", &save); entry; entry = strtok_r(NULL, " ", &save))
		jsonw_string(json_wtr, entry);
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

/* Does func return void? Its replacement can then only skip the body. */
static bool returns_void(const struct patch_prog *pp)
{
	/* The id the loader found (kernel_func.h), not a scan of vmlinux's BTF per function. */
	int id = (int)(__u32)pp->func_key;
	const struct btf_type *t = id > 0 ? btf__type_by_id(pp->btf, id) : NULL;

	t = t ? btf__type_by_id(pp->btf, t->type) : NULL;
	return t && btf_is_func_proto(t) && !t->type;
}

/*
 * The route of pp's function and why: the most bpflp could do with it,
 * whatever this patch does (as probe says), except for BPFLP_REPLACE_ANY,
 * which takes the companion route wherever fmod_ret reaches too; and what
 * replacing a void function means.
 */
static int program_route(const struct patch_prog *pp, char *reason, size_t size)
{
	bool replaces = pp->kind == BPFLP_KIND_REPLACE || pp->kind == BPFLP_KIND_FMOD_RET;
	int route = func_route(pp->func, reason, size);
	size_t len;

	if (pp->any_value) {
		route = ROUTE_COMPANION;
		snprintf(reason, size,
			 "BPFLP_REPLACE_ANY may return any value, 0 included, which only the companion module can (fmod_ret runs the original on 0): it runs the program");
	}
	len = strlen(reason);
	if (replaces && returns_void(pp) && len < size)
		snprintf(reason + len, size - len,
			 "; returns void: the replacement skips its body (\"do nothing\"), whatever value it gives");
	return route;
}

/* A program against what runs on its function today. */
static void print_change(const struct prog_change_info *c)
{
	if (json_output) {
		jsonw_string_field(json_wtr, "change", prog_change_name(c->change));
		jsonw_name(json_wtr, "running");
		if (c->running[0])
			jsonw_string(json_wtr, c->running);
		else
			jsonw_null(json_wtr);
		jsonw_string_field(json_wtr, "change_reason", c->why);
		return;
	}
	if (c->change == PROG_UNCHANGED)
		printf("      unchanged: the program %s runs there is the same\n", c->running);
	else if (c->running[0])
		printf("      %s (%s runs there): %s\n", prog_change_name(c->change), c->running,
		       c->why);
	else
		printf("      %s: %s\n", prog_change_name(c->change), c->why);
}

/* What a replace by this object would change, against the active patches. */
static void print_replace_summary(const struct patch_changes *c)
{
	if (json_output) {
		jsonw_name(json_wtr, "replace");
		jsonw_start_object(json_wtr);
		jsonw_int_field(json_wtr, "new", c->nr_new);
		jsonw_int_field(json_wtr, "changed", c->nr_changed);
		jsonw_int_field(json_wtr, "unchanged", c->nr_unchanged);
		jsonw_name(json_wtr, "dropped");
		jsonw_start_array(json_wtr);
		for (int i = 0; i < c->nr_dropped; i++) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "function", c->dropped[i].func);
			jsonw_string_field(json_wtr, "attach_type",
					   bpflp_kind_name(c->dropped[i].kind));
			jsonw_string_field(json_wtr, "running", c->dropped[i].running);
			jsonw_end_object(json_wtr);
		}
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
		return;
	}
	printf("  against the active patches: %d new, %d changed, %d unchanged, %d dropped\n",
	       c->nr_new, c->nr_changed, c->nr_unchanged, c->nr_dropped);
	for (int i = 0; i < c->nr_dropped; i++)
		printf("      dropped   %-9s %s (runs: %s)\n", bpflp_kind_name(c->dropped[i].kind),
		       c->dropped[i].func, c->dropped[i].running);
}

int do_check(const struct verb_args *args)
{
	const char *path = args->arg;
	static struct lp_module_file module;
	static char declared_ko[PATH_MAX];
	const char *module_arg = args->module;
	static struct patch_object po; /* 208 KB: off the stack (a verb runs once) */
	static struct patch_changes changes;
	struct registry reg = {};
	char why[768];
	int err;

	err = kernel_require_caps();
	if (!err)
		err = livepatch_module_for(path, &module_arg, declared_ko, sizeof(declared_ko));
	if (!err && module_arg) {
		err = lp_module_check(module_arg, &module, why, sizeof(why));
		if (err)
			p_err("%s", why);
	}
	if (!err)
		err = patch_object_open(&po, path, args->allow_insecure);
	if (err)
		return err;
	/* Shadows already pinned: a layout apply would refuse is refused here too. */
	err = shadow_plan(&po, false);
	/* A real slot, or the verifier would prune the gated bodies as dead code. */
	if (!err)
		err = patch_object_load(&po, 0, 0, false);
	if (!err)
		err = patch_object_check_gates(&po, patch_object_state_fd(&po));
	if (!err) {
		err = store_load(&reg);
		if (err)
			p_err("cannot read the records of the active patches in %s: %s", STORE_ROOT,
			      strerror(-err));
	}
	if (!err)
		err = patch_changes_compute(&po, &reg, &changes);
	if (err)
		goto out;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "object", path);
		jsonw_string_field(json_wtr, "name", po.info.name);
		jsonw_uint_field(json_wtr, "version", po.info.version);
		jsonw_string_field(json_wtr, "verdict", "ok");
		if (module_arg)
			print_module(&module);
		jsonw_name(json_wtr, "functions");
		jsonw_start_array(json_wtr);
	} else {
		printf("%s: patch %s@%u\n", path, po.info.name, po.info.version);
		if (module_arg)
			print_module(&module);
	}
	for (int i = 0; i < po.nr_progs; i++) {
		const struct patch_prog *pp = &po.progs[i];
		char reason[640];
		int route = program_route(pp, reason, sizeof(reason));

		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "function", pp->func);
			jsonw_string_field(json_wtr, "attach_type", bpflp_kind_name(pp->kind));
			jsonw_string_field(json_wtr, "verdict", "ok");
			jsonw_name(json_wtr, "traceable");
			if (pp->traceable > 0)
				jsonw_bool(json_wtr, true);
			else
				jsonw_null(json_wtr); /* unknown: no list to check against */
			jsonw_name(json_wtr, "route");
			if (route >= 0)
				jsonw_string(json_wtr, func_route_name(route));
			else
				jsonw_null(json_wtr); /* could not tell: reason says why */
			jsonw_string_field(json_wtr, "reason", reason);
			print_change(&changes.progs[i]);
			jsonw_end_object(json_wtr);
		} else {
			printf("  ok  %-9s %s: in BTF, %s%s, verifier accepts\n",
			       bpflp_kind_name(pp->kind), pp->func,
			       pp->traceable > 0 ? "traceable" : "traceability unknown",
			       pp->kind == BPFLP_KIND_FMOD_RET ? ", modifiable" : "");
			printf("      route %s: %s\n",
			       route >= 0 ? func_route_name(route) : "unknown", reason);
			print_change(&changes.progs[i]);
		}
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	print_replace_summary(&changes);
	if (json_output)
		jsonw_end_object(json_wtr);
	patch_changes_free(&changes);
out:
	registry_free(&reg);
	patch_object_close(&po);
	return err;
}
