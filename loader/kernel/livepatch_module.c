// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libkmod.h>
#include "kallsyms.h"
#include "kernel.h"
#include "klp_elf.h"
#include "kmod_util.h"
#include "livepatch_module.h"
#include "log.h"
#include "output.h"
#include "util.h"

/* How often a wait polls sysfs. */
#define POLL_MS 50
/*
 * How long a freed patch's module may keep its reference before it counts
 * as forced: the kernel drops it from a worker after the sysfs directory
 * goes, which takes more than a second on a busy or emulated machine.
 */
#define FREE_GRACE_MS 5000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The modinfo keys bpflp reads of a livepatch module. */
struct lp_modinfo {
	char release[128]; /* first word of vermagic */
	char livepatch[8];
	char patches[512];
};

static void livepatch_field(const char *key, const char *value, void *arg)
{
	struct lp_modinfo *info = arg;

	if (!strcmp(key, "vermagic"))
		vermagic_release(value, info->release, sizeof(info->release));
	else if (!strcmp(key, "livepatch"))
		snprintf(info->livepatch, sizeof(info->livepatch), "%s", value);
	else if (!strcmp(key, "bpflp_patches"))
		snprintf(info->patches, sizeof(info->patches), "%s", value);
}

static int read_modinfo(const char *path, char *name, size_t name_size, struct lp_modinfo *info)
{
	struct kmod_ctx *ctx;
	int err;

	memset(info, 0, sizeof(*info));
	ctx = kmod_ctx_open();
	if (!ctx)
		return -errno;
	err = modinfo_walk(ctx, path, name, name_size, livepatch_field, info);
	kmod_unref(ctx);
	return err;
}

static bool module_dir_exists(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return !access(path, F_OK);
}

/* One "OBJECT:FUNCTION[,SYMPOS]" of the tag: 0 when it can be patched here. */
static int check_patched_func(const char *path, char *entry, char *why, size_t size)
{
	char *colon = strchr(entry, ':'), *comma, *end;
	unsigned long sympos = 0;
	struct ksym_count count;
	const char *object, *func;
	int err, found;

	if (!colon || colon == entry || !colon[1]) {
		snprintf(why, size,
			 "%s: bad bpflp_patches entry '%s': write OBJECT:FUNCTION[,SYMPOS] (<bpflp/klp.h>)",
			 path, entry);
		return -EINVAL;
	}
	*colon = '\0';
	object = entry;
	func = colon + 1;
	comma = strchr(colon + 1, ',');
	if (comma) {
		*comma = '\0';
		sympos = strtoul(comma + 1, &end, 10);
		if (*end || comma[1] == '\0') {
			snprintf(why, size, "%s: bad symbol position in bpflp_patches entry %s:%s,%s",
				 path, object, func, comma + 1);
			return -EINVAL;
		}
	}
	/* A module not loaded yet: the kernel patches it when it loads. */
	if (strcmp(object, "vmlinux") && !module_dir_exists(object))
		return 0;
	err = kallsyms_count_text(func, &count);
	if (err) {
		snprintf(why, size, "cannot read /proc/kallsyms to check %s: %s", func,
			 strerror(-err));
		return err;
	}
	found = strcmp(object, "vmlinux") ? count.modules : count.vmlinux;
	if (!found || (sympos && sympos > (unsigned long)found)) {
		snprintf(why, size,
			 "%s patches %s:%s, which this kernel does not have (/proc/kallsyms): build the livepatch against this kernel's sources",
			 path, object, func);
		return -ENOENT;
	}
	if (!sympos && found > 1) {
		snprintf(why, size,
			 "%s patches %s:%s, a name %d functions of %s share: set old_sympos in its klp_func (and ',SYMPOS' in its bpflp_patches tag, if it has one)",
			 path, object, func, found, object);
		return -ENOTUNIQ;
	}
	return 0;
}

/*
 * What the module patches, into f->patches, and whether it replaces: the
 * module's own klp_patch, read from the file (klp_elf.c), with the layout
 * of the running kernel's structures. A bpflp_patches tag, when there is
 * one, names the functions instead; .replace is still read. A
 * kpatch-build module's functions are read from its .kpatch.funcs; its
 * .replace is in its code, checked once it is in (livepatch_txn.c), as
 * is that of a module bpflp cannot read, taken on its tag's word.
 * A patch that does not replace is refused: inserted, it would stack on
 * the previous livepatch, which bpflp's transaction then removes from
 * under it.
 */
static int read_klp_patch(const char *path, struct lp_module_file *f, const struct lp_modinfo *info,
			  char *why, size_t size)
{
	static struct klp_elf_patch klp;
	struct klp_layout layout;
	char elf_why[768];
	int err;

	err = klp_layout_from_btf(kernel_btf(), &layout);
	if (err) {
		snprintf(elf_why, sizeof(elf_why),
			 "cannot tell what %s patches: %s; bpflp reads livepatch modules with the layout of struct klp_func, klp_object and klp_patch from there (CONFIG_DEBUG_INFO_BTF), or from a bpflp_patches tag (<bpflp/klp.h>)",
			 path,
			 err == -ENOENT ?
				 "this kernel's BTF (/sys/kernel/btf/vmlinux) is unreadable or lacks the livepatch structures" :
				 "this kernel's struct klp_func, klp_object or klp_patch (BTF) has an unexpected field");
	} else {
		err = klp_elf_read(f->path, &layout, &klp, elf_why, sizeof(elf_why));
	}
	if (!err && !klp.replace) {
		snprintf(why, size,
			 "%s is not a cumulative livepatch (.replace = false): bpflp replaces the previous livepatch in one transaction; rebuild it with .replace = true",
			 path);
		return -EINVAL;
	}
	if (info->patches[0]) {
		if (err)
			pr_debug("%s: using its bpflp_patches tag: %s\n", path, elf_why);
		snprintf(f->patches, sizeof(f->patches), "%s", info->patches);
		return 0;
	}
	if (err) {
		snprintf(why, size, "%s", elf_why);
		return err;
	}
	snprintf(f->patches, sizeof(f->patches), "%s", klp.patches);
	f->replace_in_code = klp.replace_unread;
	return 0;
}

int lp_module_check(const char *path, struct lp_module_file *f, char *why, size_t size)
{
	char release[128], entries[sizeof(f->patches)], *save = NULL, *entry;
	struct lp_modinfo info;
	int err;

	memset(f, 0, sizeof(*f));
	if (access(path, R_OK)) {
		err = -errno;
		snprintf(why, size, "cannot read livepatch module %s: %s", path, strerror(-err));
		return err;
	}
	if (!realpath(path, f->path)) {
		err = -errno;
		snprintf(why, size, "cannot resolve %s: %s", path, strerror(-err));
		return err;
	}
	err = read_modinfo(f->path, f->name, sizeof(f->name), &info);
	if (err) {
		snprintf(why, size, "%s is not a readable kernel module: %s", path, strerror(-err));
		return err;
	}
	if (strcmp(info.livepatch, "Y")) {
		snprintf(why, size,
			 "%s (%s) is not a livepatch module (no modinfo livepatch=Y): give --module a module with a klp_patch and MODULE_INFO(livepatch, \"Y\")",
			 path, f->name);
		return -ENOEXEC;
	}
	err = kernel_release(release, sizeof(release));
	if (err) {
		snprintf(why, size, "cannot tell the kernel release: %s", strerror(-err));
		return err;
	}
	if (strcmp(info.release, release)) {
		snprintf(why, size,
			 "%s is built for kernel %s, this one is %s: rebuild it against this kernel's headers (make kmod)",
			 path, info.release[0] ? info.release : "(no vermagic)", release);
		return -ENOEXEC;
	}
	err = read_klp_patch(path, f, &info, why, size);
	if (err)
		return err;
	snprintf(entries, sizeof(entries), "%s", f->patches);
	for (entry = strtok_r(entries, " ", &save); entry; entry = strtok_r(NULL, " ", &save)) {
		err = check_patched_func(path, entry, why, size);
		if (err)
			return err;
	}
	return 0;
}

bool lp_module_loaded(const char *name)
{
	return module_dir_exists(name);
}

int lp_module_insert(const struct lp_module_file *f)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = kmod_ctx_open();
	int err;

	if (!ctx) {
		err = -errno;
		p_err("cannot use libkmod: %s", strerror(-err));
		return err;
	}
	err = kmod_module_new_from_path(ctx, f->path, &mod);
	if (!err)
		err = kmod_module_insert_module(mod, 0, NULL);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (err == -EEXIST)
		p_err("cannot load %s: a module named %s is already loaded; each version of a livepatch module needs its own name",
		      f->path, f->name);
	else if (err)
		p_err("cannot load livepatch module %s: %s (the kernel log says why: dmesg | grep livepatch)",
		      f->path, strerror(-err));
	return err;
}

static int read_int(const char *name, const char *attr)
{
	char path[PATH_MAX], line[32];

	snprintf(path, sizeof(path), LIVEPATCH_SYSFS "/%s/%s", name, attr);
	if (read_first_line(path, line, sizeof(line)))
		return -1;
	return atoi(line);
}

static int module_refcnt(const char *name)
{
	char path[PATH_MAX], line[32];

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	if (read_first_line(path, line, sizeof(line)))
		return -1;
	return atoi(line);
}

/* The functions sysfs lists under the patch: <object>/<function,sympos>/. */
static void list_funcs(const char *patch_dir, struct lp_status *st)
{
	struct dirent *obj, *fn;
	char path[PATH_MAX];
	DIR *d = opendir(patch_dir), *o;

	if (!d)
		return;
	while ((obj = readdir(d))) {
		if (obj->d_name[0] == '.' || obj->d_type != DT_DIR)
			continue;
		if (try_snprintf(path, sizeof(path), "%s/%s", patch_dir, obj->d_name))
			continue;
		o = opendir(path);
		if (!o)
			continue;
		while ((fn = readdir(o)) && st->nr_funcs < LP_MAX_FUNCS) {
			/* A patched function is a directory "name,sympos". */
			if (fn->d_type != DT_DIR || !strchr(fn->d_name, ','))
				continue;
			if (!try_snprintf(st->funcs[st->nr_funcs], LP_FUNC_MAX, "%s:%s",
					  obj->d_name, fn->d_name))
				st->nr_funcs++;
		}
		closedir(o);
	}
	closedir(d);
}

void lp_status_read(const char *name, struct lp_status *st)
{
	char dir[PATH_MAX];

	memset(st, 0, sizeof(*st));
	snprintf(dir, sizeof(dir), LIVEPATCH_SYSFS "/%s", name);
	st->loaded = module_dir_exists(name);
	st->present = !access(dir, F_OK);
	st->enabled = st->present ? read_int(name, "enabled") : -1;
	st->transition = st->present ? read_int(name, "transition") : -1;
	st->refcnt = st->loaded ? module_refcnt(name) : -1;
	if (st->present)
		list_funcs(dir, st);
}

int lp_wait_transition(const char *name, int timeout_ms, const char *what)
{
	long long start = now_ms(), next_report = start + 1000;

	for (;;) {
		int transition = read_int(name, "transition");
		long long now = now_ms();

		/* -1: the livepatch went away (disabled, or replaced and freed). */
		if (transition <= 0) {
			pr_debug("livepatch %s %s in %lld ms\n", name, what, now - start);
			return 0;
		}
		if (now - start >= timeout_ms)
			return -ETIMEDOUT;
		if (now >= next_report) {
			pr_warn("livepatch %s: %s: in transition for %lld s (timeout %d s)\n", name,
				what, (now - start) / 1000, timeout_ms / 1000);
			next_report += 1000;
		}
		sleep_ms(POLL_MS);
	}
}

int lp_set_enabled(const char *name, bool on)
{
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), LIVEPATCH_SYSFS "/%s/enabled", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, on ? "1" : "0", 1) != 1)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		p_err("cannot write %d to %s: %s", on, path, strerror(-err));
	return err;
}

static int remove_module(const char *name)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx = kmod_ctx_open();
	int err;

	if (!ctx)
		return -errno;
	err = kmod_module_new_from_name(ctx, name, &mod);
	if (!err)
		err = kmod_module_remove_module(mod, KMOD_REMOVE_NOWAIT);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return err;
}

int lp_module_remove(const char *name, int timeout_ms)
{
	long long start = now_ms(), freed_at = -1;
	struct lp_status st;
	int err;

	for (;;) {
		long long now = now_ms();

		lp_status_read(name, &st);
		if (!st.loaded)
			return 0;
		/* The kernel frees a disabled patch asynchronously, then drops the module. */
		if (!st.present && freed_at < 0)
			freed_at = now;
		if (!st.present && st.refcnt == 0) {
			err = remove_module(name);
			if (!err || err == -ENOENT)
				return 0;
			if (err != -EAGAIN && err != -EBUSY && err != -EWOULDBLOCK) {
				p_err("cannot remove livepatch module %s: %s", name, strerror(-err));
				return err;
			}
		}
		/* Freed and still referenced: klp skips module_put() for a forced patch. */
		if (freed_at >= 0 && now - freed_at >= FREE_GRACE_MS)
			return -EBUSY;
		if (now - start >= timeout_ms)
			break;
		sleep_ms(POLL_MS);
	}
	p_err("cannot remove livepatch module %s: its livepatch is still %s after %d s; see %s/%s",
	      name, st.enabled == 1 ? "enabled" : "registered", timeout_ms / 1000, LIVEPATCH_SYSFS,
	      name);
	return -ETIMEDOUT;
}

int lp_module_unload(const char *name, int timeout_ms)
{
	struct lp_status st;
	int err;

	lp_status_read(name, &st);
	if (st.present && st.enabled == 1) {
		err = lp_set_enabled(name, false);
		if (err)
			return err;
	}
	err = lp_wait_transition(name, timeout_ms, "disabling");
	if (err) {
		p_err("livepatch %s did not finish disabling in %d s: it stays loaded; see /sys/kernel/livepatch/%s",
		      name, timeout_ms / 1000, name);
		return err;
	}
	return lp_module_remove(name, timeout_ms);
}
