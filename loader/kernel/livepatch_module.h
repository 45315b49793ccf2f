/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel livepatch module (klp_patch, .replace = true) as a file and as
 * a loaded patch: validate it, insert it, follow its transition in
 * /sys/kernel/livepatch/<mod>/, disable it, remove it. No transaction
 * logic here (livepatch_txn.c has it); libkmod does the loading.
 *
 * What a module patches, and whether it replaces the previous livepatch,
 * is read from the module itself: its static klp_patch, found through the
 * .ko's relocations with the layout of the running kernel's structures
 * (klp_elf.c). A modinfo tag bpflp_patches ("OBJECT:FUNCTION[,SYMPOS] ...",
 * include/bpflp/klp.h), when there is one, names the functions instead. Once
 * loaded, sysfs lists the functions the kernel really patched.
 */
#ifndef BPFLP_LIVEPATCH_MODULE_H
#define BPFLP_LIVEPATCH_MODULE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include "kmod_util.h"

#define LIVEPATCH_SYSFS      "/sys/kernel/livepatch"
#define LP_MODULE_NAME_MAX   KMOD_NAME_MAX
#define LP_MAX_FUNCS         32
#define LP_FUNC_MAX          128 /* "object:function,sympos" */
#define LP_DEFAULT_TIMEOUT_S 60

struct lp_module_file {
	char name[LP_MODULE_NAME_MAX];
	char path[PATH_MAX];
	char patches[512]; /* "OBJECT:FUNCTION[,SYMPOS] ...": its bpflp_patches tag, else its klp_patch */
	bool replace_in_code; /* kpatch-build's: .replace is checked once it is in (livepatch_txn.c) */
};

/*
 * Is path a cumulative (.replace = true) livepatch module built for the
 * running kernel, patching functions that all exist? 0 and f filled, or
 * a negative errno and why (one line naming the problem and the fix).
 * Reads the file, the kernel's BTF and /proc/kallsyms only.
 */
int lp_module_check(const char *path, struct lp_module_file *f, char *why, size_t size);

/* Is a module of that name loaded (live, coming or going)? */
bool lp_module_loaded(const char *name);

/* Insert the module (its init enables the livepatch). Errors are printed. */
int lp_module_insert(const struct lp_module_file *f);

struct lp_status {
	bool loaded;  /* in /sys/module */
	bool present; /* /sys/kernel/livepatch/<name> exists */
	int enabled;  /* -1 when not present */
	int transition;
	int refcnt; /* -1 when not loaded */
	int nr_funcs;
	char funcs[LP_MAX_FUNCS][LP_FUNC_MAX]; /* "object:function,sympos" from sysfs */
};

/* What sysfs says of the module and its livepatch now; never fails (fields say unknown). */
void lp_status_read(const char *name, struct lp_status *st);

/*
 * Wait until the module's transition reads 0 (or its livepatch is gone),
 * printing progress to stderr each second. 0, or -ETIMEDOUT.
 */
int lp_wait_transition(const char *name, int timeout_ms, const char *what);

/* Write 0 or 1 to its enabled (during a transition: reverses it). Errors are printed. */
int lp_set_enabled(const char *name, bool on);

/*
 * Remove a module whose livepatch is disabled: waits up to timeout_ms for
 * the kernel to free the patch (its sysfs directory goes, then its module
 * reference). 0 when removed or not loaded; -EBUSY when the kernel keeps a
 * reference, i.e. its transition was forced (the module must then stay
 * loaded for good); other errors are printed.
 */
int lp_module_remove(const char *name, int timeout_ms);

/*
 * Take a livepatch out entirely: reverse or disable it, wait for the
 * transition, remove the module. What a failed or rolled back apply does
 * with the module it inserted. 0, -EBUSY (forced, kept), or an error.
 */
int lp_module_unload(const char *name, int timeout_ms);

#endif /* BPFLP_LIVEPATCH_MODULE_H */
