// SPDX-License-Identifier: GPL-2.0
/* bpflp list and bpflp show: read-only views of the state tree. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpflp/companion.h"
#include "args.h"
#include "commands.h"
#include "companion_attach.h"
#include "declared_print.h"
#include "dispatch_pins.h"
#include "drift_print.h"
#include "journal.h"
#include "kernel.h"
#include "livepatch_print.h"
#include "output.h"
#include "patch_object.h"
#include "pins.h"
#include "prog_counters.h"
#include "store.h"
#include "txn.h"
#include "word_print.h"

/* Recover first, as every command does; a live transaction is reported instead. */
static int load_registry(struct registry *reg, __u64 *word, struct journal *in_flight)
{
	int err;

	memset(in_flight, 0, sizeof(*in_flight));
	err = kernel_require_caps();
	if (err)
		return err;
	err = txn_recover_if_pending(in_flight);
	if (err < 0)
		return err;
	if (!err)
		memset(in_flight, 0, sizeof(*in_flight));
	err = store_load(reg);

	if (err) {
		p_err("cannot read the patch records in %s: %s", STORE_PATCHES, strerror(-err));
		return err;
	}
	err = store_read_commit_word(word);
	if (err)
		p_err("cannot read the commit word in %s: %s", STORE_ROOT, strerror(-err));
	return err;
}

/* A slot belongs to a patch only while it is active (or staged in a transaction). */
static bool owns_slot(const struct patch_meta *m)
{
	return m->status == PATCH_ACTIVE || m->status == PATCH_STAGED;
}

static void json_slot(const struct patch_meta *m)
{
	jsonw_uint_or_null_field(json_wtr, "slot", m->slot, owns_slot(m));
}

static void json_digest(const struct patch_meta *m)
{
	char hex[SHA256_HEX_SIZE];

	sha256_hex(m->digest, sizeof(m->digest), hex);
	jsonw_string_field(json_wtr, "sha256", hex);
}

/* Who signed the object: null when it was applied unsigned. */
static void json_signer(const struct patch_meta *m)
{
	char hex[SHA256_HEX_SIZE];

	jsonw_name(json_wtr, "signer");
	if (!m->signer[0]) {
		jsonw_null(json_wtr);
		return;
	}
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "cn", m->signer);
	sha256_hex(m->signer_sha256, sizeof(m->signer_sha256), hex);
	jsonw_string_field(json_wtr, "sha256", hex);
	jsonw_end_object(json_wtr);
}

static void json_patch(const struct patch_record *rec)
{
	const struct patch_meta *m = &rec->meta;

	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", m->name);
	jsonw_uint_field(json_wtr, "version", m->version);
	jsonw_string_field(json_wtr, "state", patch_status_name(m->status));
	jsonw_string_field(json_wtr, "mode", patch_mode_name(m->mode));
	json_slot(m);
	jsonw_uint_field(json_wtr, "applied_at_ns", m->applied_at);
	jsonw_string_field(json_wtr, "object", m->object);
	json_digest(m);
	json_signer(m);
	if (m->status == PATCH_REPLACED)
		jsonw_string_field(json_wtr, "replaced_by", m->replaced_by);
	jsonw_name(json_wtr, "functions");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < m->nr_funcs; i++) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "function", m->funcs[i].name);
		jsonw_string_field(json_wtr, "attach_type", bpflp_kind_name(m->funcs[i].kind));
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	livepatch_print_json(rec->dir);
	declared_print_json(rec->dir);
	jsonw_end_object(json_wtr);
}

/* Column widths: the headers, or the longest name and version. */
struct list_widths {
	int name;
	int version;
};

static struct list_widths list_widths(const struct registry *reg)
{
	struct list_widths w = { .name = 4, .version = 7 };
	char num[16];

	for (int i = 0; i < reg->nr; i++) {
		int n = strnlen(reg->recs[i].meta.name, sizeof(reg->recs[i].meta.name));
		int v = snprintf(num, sizeof(num), "%u", reg->recs[i].meta.version);

		if (n > w.name)
			w.name = n;
		if (v > w.version)
			w.version = v;
	}
	return w;
}

static void plain_patch(const struct patch_meta *m, const struct list_widths *w)
{
	printf("%-*s %-*u %-9s %-8s", w->name, m->name, w->version, m->version,
	       patch_status_name(m->status), patch_mode_name(m->mode));
	for (__u32 i = 0; i < m->nr_funcs; i++)
		printf("%s%s:%s", i ? "," : " ", bpflp_kind_name(m->funcs[i].kind), m->funcs[i].name);
	if (m->status == PATCH_REPLACED)
		printf(" (by %s)", m->replaced_by);
	printf("\n");
}

static const char *journal_op_name(const struct journal *j)
{
	return j->op == JOURNAL_APPLY ? "apply" : "disable";
}

int do_list(const struct verb_args *args)
{
	static struct drift_report drift;
	struct journal in_flight;
	struct registry reg;
	__u64 word;
	int err;

	(void)args;
	err = load_registry(&reg, &word, &in_flight);
	if (err)
		return err;
	/* While a transaction runs, its half-made state is not drift. */
	if (!in_flight.magic)
		drift_scan(&reg, word, &drift);
	if (json_output) {
		jsonw_start_object(json_wtr);
		word_print_json(&reg, word);
		drift_print_json("drift", &drift);
		if (in_flight.magic) {
			jsonw_name(json_wtr, "pending_transaction");
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "operation", journal_op_name(&in_flight));
			jsonw_string_field(json_wtr, "patch_dir", in_flight.dir);
			jsonw_uint_field(json_wtr, "pid", in_flight.pid);
			jsonw_end_object(json_wtr);
		}
		livepatch_kept_print_json();
		kept_shadows_print_json();
		jsonw_name(json_wtr, "patches");
		jsonw_start_array(json_wtr);
		for (int i = 0; i < reg.nr; i++)
			json_patch(&reg.recs[i]);
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	} else if (!reg.nr) {
		printf("no patches\n");
	}
	if (!json_output && in_flight.magic)
		printf("pending transaction: %s of %s by pid %u (its lock is held: still running)\n",
		       journal_op_name(&in_flight), in_flight.dir, in_flight.pid);
	if (!json_output && reg.nr) {
		struct list_widths w = list_widths(&reg);

		printf("%-*s %-*s %-9s %-8s %s\n", w.name, "NAME", w.version, "VERSION", "STATE",
		       "MODE", "FUNCTIONS");
		for (int i = 0; i < reg.nr; i++) {
			plain_patch(&reg.recs[i].meta, &w);
			livepatch_print_plain(reg.recs[i].dir);
			declared_print_plain(reg.recs[i].dir);
		}
	}
	if (!json_output)
		livepatch_kept_print_plain();
	if (!json_output)
		kept_shadows_print_plain();
	if (!json_output)
		drift_print_plain("drift: the state in " STORE_ROOT " does not match the kernel:",
				  &drift, true);
	registry_free(&reg);
	return 0;
}

#define MAX_CPUS 4096
static struct bpflp_stat stats_buf[MAX_CPUS];

struct func_view {
	char link_pin[PATH_MAX];
	__u32 prog_id;
	__u32 link_id;
	__u64 calls;
	__u64 overrides;
	bool attached;
};

/* No link on the companion route: the module holds the program pinned as FUNC__replace_prog. */
static void read_companion_view(const struct patch_record *rec, const struct func_meta *f,
				struct func_view *v)
{
	char pin[PATH_MAX];

	if (store_pin_path(pin, sizeof(pin), rec->dir, f->name,
			   pin_of_kind(BPFLP_KIND_REPLACE, true)->prog) ||
	    pinned_prog_id(pin, &v->prog_id))
		return;
	v->attached = companion_pin_attached(pin) == 1;
	snprintf(v->link_pin, sizeof(v->link_pin), "%s", BPFLP_COMPANION_DEV);
}

/*
 * A dispatched program has no link: it runs while its function's stub
 * has it on the live side (dispatch_pins.h). link_id and link_pin are
 * the stub's.
 */
static void read_dispatch_view(const struct patch_record *rec, const struct func_meta *f,
			       struct func_view *v)
{
	struct bpf_link_info info = {};
	struct pinned_stub ps;
	__u32 len = sizeof(info);
	char pin[PATH_MAX];
	__u64 word;

	if (store_pin_path(pin, sizeof(pin), rec->dir, f->name, pin_of_kind(f->kind, false)->prog) ||
	    pinned_prog_id(pin, &v->prog_id) || store_read_commit_word(&word) ||
	    dispatch_pins_open(f->key, &ps))
		return;
	if (ps.array_fd >= 0 && ps.link_fd >= 0 &&
	    dispatch_entry_id(ps.array_fd, (__u32)(word >> BPFLP_SIDE_BIT)) == v->prog_id &&
	    !bpf_obj_get_info_by_fd(ps.link_fd, &info, &len) &&
	    !dispatch_pin_dir(v->link_pin, sizeof(v->link_pin) - 5, f->key)) {
		v->attached = true;
		v->link_id = info.id;
		strcat(v->link_pin, "/link");
	}
	dispatch_pins_close(&ps);
}

/* The counters of a dispatched program, from the program: the map's fd and *key, or -1. */
static int dispatched_counters(const struct patch_record *rec, const struct func_meta *f, __u32 *key)
{
	char pin[PATH_MAX];
	int prog_fd, stats_fd = -1;

	if (store_pin_path(pin, sizeof(pin), rec->dir, f->name, pin_of_kind(f->kind, false)->prog))
		return -1;
	prog_fd = bpf_obj_get(pin);
	if (prog_fd < 0)
		return -1;
	if (prog_counters(prog_fd, &stats_fd, key))
		stats_fd = -1;
	close(prog_fd);
	return stats_fd;
}

/* A pin replaced by hand must not make the lookup write past stats_buf. */
static bool stats_map_valid(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return !bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_PERCPU_ARRAY &&
	       info.key_size == sizeof(__u32) && info.value_size == sizeof(struct bpflp_stat);
}

static void read_func_view(const struct patch_record *rec, const struct func_meta *f,
			   struct func_view *v)
{
	__u32 key = f - rec->meta.funcs; /* bpflp_stats is indexed in the record's order */
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char pin[PATH_MAX];
	int ncpus = libbpf_num_possible_cpus();
	int fd = -1;

	memset(v, 0, sizeof(*v));
	if (f->route == FUNC_ROUTE_COMPANION) {
		read_companion_view(rec, f, v);
		goto stats;
	}
	if (f->route == FUNC_ROUTE_DISPATCH) {
		read_dispatch_view(rec, f, v);
		/* A program kept from an earlier patch counts where that patch made it. */
		fd = dispatched_counters(rec, f, &key);
		goto stats;
	}
	fd = store_pin_path(v->link_pin, sizeof(v->link_pin), rec->dir, f->name,
			    pin_of_kind(f->kind, false)->link) ?:
		     bpf_obj_get(v->link_pin);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
			v->attached = true;
			v->link_id = info.id;
			v->prog_id = info.prog_id;
		}
		close(fd);
		fd = -1; /* the counters come from the patch's stats pin */
	}
stats:
	if (fd < 0)
		fd = store_pin_path(pin, sizeof(pin), rec->dir, NULL, "stats") ?: bpf_obj_get(pin);
	if (fd < 0 || ncpus <= 0 || ncpus > MAX_CPUS || !stats_map_valid(fd)) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Per-CPU map: one value per possible CPU, summed. */
	if (!bpf_map_lookup_elem(fd, &key, stats_buf)) {
		for (int c = 0; c < ncpus; c++) {
			v->calls += stats_buf[c].calls;
			v->overrides += stats_buf[c].overrides;
		}
	}
	close(fd);
}

static struct patch_record *record_in_dir(struct registry *reg, const char *dir)
{
	for (int i = 0; i < reg->nr; i++)
		if (!strcmp(reg->recs[i].dir, dir))
			return &reg->recs[i];
	return NULL;
}

static struct patch_record *find_for_show(struct registry *reg, const char *spec)
{
	struct patch_record *rec = registry_find_spec(reg, spec), *latest = NULL;

	if (rec)
		return rec;
	/* Not active: show the most recently changed record of that name. */
	for (int i = 0; i < reg->nr; i++)
		if (!strcmp(reg->recs[i].meta.name, spec) &&
		    (!latest || reg->recs[i].meta.changed_at > latest->meta.changed_at))
			latest = &reg->recs[i];
	return latest;
}

const struct verb_option show_options[] = {
	VERB_OPTIONAL_VALUE("watch", watch, "[SECONDS]",
			    "print the counts again every SECONDS (default 1), until\n"
			    "interrupted; with -j one document a line (JSON Lines)"),
	VERB_VALUE("count", count, "N", "with --watch: stop after N refreshes"),
	{},
};

static void show_json(const struct patch_record *rec, bool counting)
{
	struct func_view v;

	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", rec->meta.name);
	jsonw_uint_field(json_wtr, "version", rec->meta.version);
	jsonw_string_field(json_wtr, "state", patch_status_name(rec->meta.status));
	jsonw_string_field(json_wtr, "mode", patch_mode_name(rec->meta.mode));
	json_slot(&rec->meta);
	jsonw_string_field(json_wtr, "object", rec->meta.object);
	json_digest(&rec->meta);
	json_signer(&rec->meta);
	jsonw_string_field(json_wtr, "pin_dir", rec->dir);
	livepatch_print_json(rec->dir);
	declared_print_json(rec->dir);
	jsonw_string_field(json_wtr, "stats", counting ? "on" : "off");
	jsonw_name(json_wtr, "functions");
	jsonw_start_array(json_wtr);
	for (__u32 i = 0; i < rec->meta.nr_funcs; i++) {
		const struct func_meta *f = &rec->meta.funcs[i];

		read_func_view(rec, f, &v);
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "function", f->name);
		jsonw_string_field(json_wtr, "attach_type", bpflp_kind_name(f->kind));
		jsonw_string_field(json_wtr, "attached_via",
				   f->route == FUNC_ROUTE_COMPANION ? "companion_module" :
				   f->route == FUNC_ROUTE_DISPATCH  ? "dispatch_stub" :
								      "link");
		jsonw_bool_field(json_wtr, "attached", v.attached);
		jsonw_uint_field(json_wtr, "prog_id", v.prog_id);
		jsonw_uint_field(json_wtr, "link_id", v.link_id);
		jsonw_string_field(json_wtr, "link_pin", v.attached ? v.link_pin : "");
		jsonw_uint_field(json_wtr, "calls", v.calls);
		jsonw_uint_field(json_wtr, "overrides", v.overrides);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

static void show_plain(const struct patch_record *rec, bool counting)
{
	char slot[32] = "", hex[SHA256_HEX_SIZE];
	struct func_view v;

	if (owns_slot(&rec->meta))
		snprintf(slot, sizeof(slot), ", slot %u", rec->meta.slot);
	sha256_hex(rec->meta.digest, sizeof(rec->meta.digest), hex);
	printf("%s@%u: %s, %s mode%s, pinned in %s\n", rec->meta.name, rec->meta.version,
	       patch_status_name(rec->meta.status), patch_mode_name(rec->meta.mode), slot, rec->dir);
	printf("  object %s\n  sha256 %s\n", rec->meta.object, hex);
	if (rec->meta.signer[0]) {
		sha256_hex(rec->meta.signer_sha256, sizeof(rec->meta.signer_sha256), hex);
		printf("  signed by %s (certificate sha256 %s)\n", rec->meta.signer, hex);
	}
	livepatch_print_plain(rec->dir);
	declared_print_plain(rec->dir);
	if (!counting)
		printf("  call counters off: CALLS and OVERRIDES stand still until 'bpflp stats on'\n");
	printf("  %-28s %-9s %-8s %-8s %-10s %-10s %s\n", "FUNCTION", "TYPE", "PROG_ID", "LINK_ID",
	       "CALLS", "OVERRIDES", "LINK_PIN");
	for (__u32 i = 0; i < rec->meta.nr_funcs; i++) {
		const struct func_meta *f = &rec->meta.funcs[i];

		read_func_view(rec, f, &v);
		printf("  %-28s %-9s %-8u %-8u %-10llu %-10llu %s\n", f->name,
		       bpflp_kind_name(f->kind), v.prog_id, v.link_id, (unsigned long long)v.calls,
		       (unsigned long long)v.overrides, v.attached ? v.link_pin : "-");
	}
}

static void show_record(const struct patch_record *rec)
{
	struct bpflp_state state;
	/* Unreadable: shown as on, the default; the counts are what they are. */
	bool counting = store_read_state(&state) || !state.stats_off;

	if (json_output)
		show_json(rec, counting);
	else
		show_plain(rec, counting);
}

/* --watch: what it was given, checked before anything is read. */
struct watch {
	struct timespec interval;
	unsigned long count; /* 0: until interrupted */
};

#define WATCH_MAX_SECONDS 86400
#define WATCH_MAX_COUNT   1000000000UL

static int parse_watch(const struct verb_args *args, struct watch *w)
{
	double seconds = 1;
	char *end;

	memset(w, 0, sizeof(*w));
	if (args->count && !args->watch) {
		p_err("--count counts the refreshes of --watch: add --watch (bpflp show NAME --watch --count N)");
		return -EINVAL;
	}
	if (args->count && parse_number_option("count", args->count, 1, WATCH_MAX_COUNT, &w->count))
		return -EINVAL;
	if (args->watch && *args->watch) {
		errno = 0;
		seconds = strtod(args->watch, &end);
		if (*end || errno || !(seconds >= 0.1 && seconds <= WATCH_MAX_SECONDS) ||
		    strspn(args->watch, "0123456789.") != strlen(args->watch)) {
			p_err("bad --watch '%s': give SECONDS from 0.1 to %d (default 1)",
			      args->watch, WATCH_MAX_SECONDS);
			return -EINVAL;
		}
	}
	w->interval.tv_sec = (time_t)seconds;
	w->interval.tv_nsec = (long)((seconds - (double)w->interval.tv_sec) * 1e9);
	return 0;
}

static volatile sig_atomic_t watch_stop;

static void on_stop_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* SIGINT and SIGTERM end the watch between two refreshes, with status 0. */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the sleep returns at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void watch_sleep(const struct watch *w)
{
	struct timespec left = w->interval;

	while (!watch_stop && nanosleep(&left, &left) && errno == EINTR)
		;
}

/*
 * Print rec again and again: reloading the records each time, as show
 * does, and following the very record shown first (its directory). If it
 * goes or stops being what it was (disabled, replaced by another bpflp),
 * that is the one error, and the status is 1.
 */
static int watch_record(struct registry *reg, struct patch_record *rec, const struct watch *w)
{
	char dir[PATH_MAX], spec[PATCH_SPEC_MAX];
	enum patch_status status = rec->meta.status;
	struct journal in_flight;
	bool tty = !json_output && isatty(STDOUT_FILENO);
	__u64 word;
	int err;

	snprintf(dir, sizeof(dir), "%s", rec->dir);
	snprintf(spec, sizeof(spec), "%s@%u", rec->meta.name, rec->meta.version);
	catch_stop_signals();
	for (unsigned long n = 1;; n++) {
		if (tty)
			printf("\033[H\033[2J"); /* as watch(1): the table in place */
		else if (!json_output && n > 1)
			printf("\n");
		show_record(rec);
		err = output_next_document();
		if (err) {
			p_err("cannot write to standard output: %s", strerror(-err));
			return err;
		}
		if (n == w->count)
			return 0;
		watch_sleep(w);
		if (watch_stop)
			return 0;
		registry_free(reg);
		err = load_registry(reg, &word, &in_flight);
		if (err)
			return err;
		rec = record_in_dir(reg, dir);
		if (!rec) {
			p_err("%s is gone while watching (its record was removed): see 'bpflp log'",
			      spec);
			return -ENOENT;
		}
		if (rec->meta.status != status) {
			p_err("%s is %s now, no longer %s, while watching: see 'bpflp log'", spec,
			      patch_status_name(rec->meta.status), patch_status_name(status));
			return -ESTALE;
		}
	}
}

int do_show(const struct verb_args *args)
{
	const char *spec = args->arg;
	struct journal in_flight;
	struct patch_record *rec;
	struct registry reg;
	struct watch w;
	__u64 word;
	int err;

	err = check_patch_spec(spec) ?: parse_watch(args, &w);
	if (!err)
		err = load_registry(&reg, &word, &in_flight);
	if (err)
		return err;
	rec = find_for_show(&reg, spec);
	if (!rec) {
		p_err("no patch '%s': see 'bpflp list'", spec);
		registry_free(&reg);
		return -ENOENT;
	}
	if (args->watch)
		err = watch_record(&reg, rec, &w);
	else
		show_record(rec);
	registry_free(&reg);
	return err;
}
