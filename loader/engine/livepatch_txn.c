// SPDX-License-Identifier: GPL-2.0
/* A patch's livepatch module in bpflp's transactions (see livepatch_txn.h for the order). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commit.h"
#include "fault.h"
#include "livepatch_txn.h"
#include "log.h"
#include "output.h"
#include "util.h"

#define LP_RECORD_MAGIC 0x52504c4bU /* "KLPR" */
#define LP_STEP_MAGIC   0x53504c4bU /* "KLPS" */
#define LP_KEPT_MAGIC   0x4b504c4bU /* "KLPK" */
#define LP_FORMAT       1U
/* How long removing a disabled module waits for the kernel to free its patch. */
#define LP_REMOVE_TIMEOUT_MS 10000

static bool has_nul(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int record_pin(const char *dir, char *pin, size_t size)
{
	return try_snprintf(pin, size, "%s/%s", dir, LP_RECORD_NAME);
}

int lp_record_read(const char *dir, struct lp_record *rec)
{
	char pin[PATH_MAX];
	int err = record_pin(dir, pin, sizeof(pin)) ?: store_read_record(pin, rec, sizeof(*rec));

	if (!err && (rec->magic != LP_RECORD_MAGIC || rec->format != LP_FORMAT ||
		     !has_nul(rec->module, sizeof(rec->module)) || !rec->module[0] ||
		     !has_nul(rec->path, sizeof(rec->path))))
		err = -EPROTO;
	return err;
}

static int record_write(const char *dir, const struct lp_step *s)
{
	struct lp_record rec = { .magic = LP_RECORD_MAGIC, .format = LP_FORMAT };
	char pin[PATH_MAX];
	int err;

	memcpy(rec.module, s->new_module, sizeof(rec.module));
	memcpy(rec.path, s->new_path, sizeof(rec.path));
	err = record_pin(dir, pin, sizeof(pin)) ?:
		      store_write_record(pin, "bpflp_klp_rec", &rec, sizeof(rec));
	if (err)
		p_err("cannot record the livepatch module in %s: %s", dir, strerror(-err));
	return err;
}

void lp_kept_read(struct lp_kept *kept)
{
	if (store_read_record(LP_KEPT_PIN, kept, sizeof(*kept)) || kept->magic != LP_KEPT_MAGIC ||
	    kept->format != LP_FORMAT || kept->nr > LP_MAX_KEPT) {
		memset(kept, 0, sizeof(*kept));
		return;
	}
	for (__u32 i = 0; i < kept->nr; i++)
		if (!has_nul(kept->modules[i], sizeof(kept->modules[i])))
			kept->modules[i][0] = '\0';
}

/* A module the kernel will not let go: remembered, so list can say why it is still loaded. */
static void kept_add(const char *module)
{
	struct lp_kept kept;

	lp_kept_read(&kept);
	kept.magic = LP_KEPT_MAGIC;
	kept.format = LP_FORMAT;
	for (__u32 i = 0; i < kept.nr; i++)
		if (!strcmp(kept.modules[i], module))
			return;
	if (kept.nr == LP_MAX_KEPT)
		return;
	snprintf(kept.modules[kept.nr++], LP_MODULE_NAME_MAX, "%s", module);
	store_write_record(LP_KEPT_PIN, "bpflp_klp_kept", &kept, sizeof(kept));
}

static int step_write(struct lp_plan *p)
{
	int err = store_write_record(LP_STEP_PIN, "bpflp_klp_txn", &p->step, sizeof(p->step));

	if (err)
		p_err("cannot write the livepatch step record %s: %s", LP_STEP_PIN, strerror(-err));
	p->step_written = !err;
	return err;
}

static void step_remove(void)
{
	if (unlink(LP_STEP_PIN) && errno != ENOENT)
		pr_warn("warning: cannot remove %s: %s\n", LP_STEP_PIN, strerror(errno));
}

bool lp_plan_empty(const struct lp_plan *p)
{
	return !p->step.new_module[0] && !p->step.old_module[0];
}

int lp_plan_init(struct lp_plan *p, const struct lp_module_file *new_file,
		 const struct registry *reg, __u64 out_slots, int timeout_s)
{
	struct lp_record rec;

	memset(p, 0, sizeof(*p));
	p->step.magic = LP_STEP_MAGIC;
	p->step.format = LP_FORMAT;
	p->timeout_ms = (timeout_s > 0 ? timeout_s : LP_DEFAULT_TIMEOUT_S) * 1000;
	for (int i = 0; i < reg->nr; i++) {
		const struct patch_record *r = &reg->recs[i];

		if (r->meta.status == PATCH_ACTIVE && (out_slots & (1ULL << r->meta.slot)) &&
		    !lp_record_read(r->dir, &rec))
			snprintf(p->step.old_module, sizeof(p->step.old_module), "%s", rec.module);
	}
	if (!new_file)
		return 0;
	if (lp_module_loaded(new_file->name)) {
		p_err("a module named %s is already loaded%s: each version of a livepatch module needs its own name (e.g. %s_v2)",
		      new_file->name,
		      strcmp(new_file->name, p->step.old_module) ? "" : " (the active patch's)",
		      new_file->name);
		return -EEXIST;
	}
	if (strlen(new_file->path) >= sizeof(p->step.new_path)) {
		p_err("livepatch module path %s is longer than the %zu bytes bpflp records",
		      new_file->path, sizeof(p->step.new_path) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(p->step.new_module, sizeof(p->step.new_module), "%s", new_file->name);
	snprintf(p->step.new_path, sizeof(p->step.new_path), "%s", new_file->path);
	return 0;
}

/* Has the kernel side switched: the new livepatch fully in, or the old one fully out? */
static bool switched(const struct lp_step *s)
{
	struct lp_status st;

	if (s->new_module[0]) {
		lp_status_read(s->new_module, &st);
		return st.present && st.enabled == 1 && st.transition == 0;
	}
	lp_status_read(s->old_module, &st);
	/* enabled < 0: its directory vanished between two reads (the kernel frees it). */
	return !st.present || st.enabled < 0 || (st.enabled == 0 && st.transition == 0);
}

/*
 * Did the new livepatch take the old one's place? A cumulative one
 * (.replace = true) has disabled it by the end of its transition; one
 * that does not replace stacks on it. bpflp reads .replace from the file
 * before anything changes, except in kpatch-build's modules, which set it
 * in code: this is their check, and every module's second one.
 */
static bool old_replaced(const struct lp_step *s)
{
	struct lp_status st;

	if (!s->new_module[0] || !s->old_module[0])
		return true;
	/*
	 * Only "still enabled" is stacking: a replaced patch's directory goes
	 * asynchronously, so its files can vanish between two reads (-1).
	 */
	lp_status_read(s->old_module, &st);
	return st.enabled != 1;
}

/* Undo the livepatch side of an uncommitted transaction; the old patch stays in effect. */
static int reverse(const struct lp_step *s, int timeout_ms)
{
	struct lp_status st;
	int err;

	if (s->new_module[0]) {
		err = lp_module_unload(s->new_module, timeout_ms);
		/* Forced while we waited: it cannot leave, and it has replaced the old one. */
		if (err == -EBUSY)
			kept_add(s->new_module);
		return err;
	}
	lp_status_read(s->old_module, &st);
	if (!st.present || st.enabled != 0)
		return 0;
	/* Writing 1 during its unpatching transition reverses it. */
	err = lp_set_enabled(s->old_module, true);
	return err ?: lp_wait_transition(s->old_module, timeout_ms, "re-enabling");
}

int lp_switch(struct lp_plan *p, const char *new_dir)
{
	const struct lp_step *s = &p->step;
	const char *mod = s->new_module[0] ? s->new_module : s->old_module;
	int err;

	if (lp_plan_empty(p))
		return 0;
	err = step_write(p);
	if (err)
		return err;
	fault_point("klp-begin");
	if (s->new_module[0]) {
		struct lp_module_file f = {};

		snprintf(f.name, sizeof(f.name), "%s", s->new_module);
		snprintf(f.path, sizeof(f.path), "%s", s->new_path);
		err = record_write(new_dir, s) ?: lp_module_insert(&f);
		if (!err)
			fault_point("klp-inserted");
	} else {
		err = lp_set_enabled(s->old_module, false);
		if (!err)
			fault_point("klp-disabling");
	}
	if (!err) {
		err = lp_wait_transition(mod, p->timeout_ms,
					 s->new_module[0] ? "patching" : "unpatching");
		if (err)
			p_err("the livepatch transition of %s did not finish in %d s (a task sleeps in a function it %s? see /proc/*/patch_state): reversed, nothing changed; retry, or raise --timeout",
			      mod, p->timeout_ms / 1000, s->new_module[0] ? "patches" : "unpatches");
	}
	if (!err && !old_replaced(s)) {
		p_err("livepatch module %s stacked on %s instead of replacing it (.replace = false, or kpatch-build --non-replace): reversed, nothing changed; rebuild it as a cumulative livepatch",
		      s->new_module, s->old_module);
		err = -EINVAL;
	}
	if (!err) {
		fault_point("klp-switched");
		return 0;
	}
	/*
	 * --timeout bounds the transition asked for; reversing it is given
	 * the default, or a short --timeout would leave a half-done reversal.
	 */
	if (reverse(s, LP_DEFAULT_TIMEOUT_S * 1000))
		pr_warn("warning: could not reverse livepatch %s; run 'bpflp recover'\n", mod);
	else
		step_remove();
	p->step_written = false;
	return err;
}

static int remove_old(const char *module)
{
	int err = lp_module_remove(module, LP_REMOVE_TIMEOUT_MS);

	if (err == -EBUSY) {
		pr_warn("warning: livepatch module %s stays loaded: its transition was forced, and the kernel never releases a forced patch's module\n",
			module);
		kept_add(module);
		return 0;
	}
	return err;
}

int lp_after_commit(struct lp_plan *p)
{
	int err = 0;

	if (!p->step_written)
		return 0;
	if (p->step.old_module[0])
		err = remove_old(p->step.old_module);
	if (err)
		return err; /* the step record stays: recover tries again */
	fault_point("klp-old-removed");
	step_remove();
	p->step_written = false;
	return 0;
}

int lp_recover(struct commit_ctx *cc, __u64 *word, __u64 pre_word, __u64 post_word)
{
	struct lp_step s;
	int err = store_read_record(LP_STEP_PIN, &s, sizeof(s));

	if (err == -ENOENT)
		return 0;
	if (!err && (s.magic != LP_STEP_MAGIC || s.format != LP_FORMAT ||
		     !has_nul(s.new_module, sizeof(s.new_module)) ||
		     !has_nul(s.new_path, sizeof(s.new_path)) ||
		     !has_nul(s.old_module, sizeof(s.old_module))))
		err = -EPROTO;
	if (err) {
		p_err("cannot read the livepatch step record %s: %s", LP_STEP_PIN, strerror(-err));
		return err;
	}
	if (*word == pre_word) {
		/* Read once: the kernel side moves on while recover looks. */
		bool kernel_switched = switched(&s);
		/* A module that stacked instead of replacing is reversed, as lp_switch() would have. */
		bool stacked = kernel_switched && !old_replaced(&s);

		if (stacked)
			pr_info("livepatch module %s stacked on %s instead of replacing it: reversing it\n",
				s.new_module, s.old_module);
		if (!kernel_switched || stacked) {
			pr_info("reversing the livepatch side of the interrupted transaction\n");
			err = reverse(&s, LP_DEFAULT_TIMEOUT_S * 1000);
			if (err && err != -EBUSY)
				return err;
			step_remove();
			return 0;
		}
		/* The kernel side switched: the BPF side follows, as the transaction would have. */
		pr_info("the livepatch side had switched: committing the BPF side too\n");
		err = commit_word(cc, pre_word, post_word);
		if (err) {
			p_err("cannot write the commit word: %s", strerror(-err));
			return err;
		}
		*word = post_word;
	}
	if (*word != post_word)
		return 0; /* neither side: the caller reports it */
	err = s.old_module[0] ? remove_old(s.old_module) : 0;
	if (!err)
		step_remove();
	return err;
}
