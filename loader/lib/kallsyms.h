/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's text symbols by name (/proc/kallsyms), to tell a function
 * without BTF from no function at all, and a unique name from a static
 * one that several files define.
 */
#ifndef BPFLP_KALLSYMS_H
#define BPFLP_KALLSYMS_H

#include <stddef.h>
#include "kmod_util.h"

/* The kernel's bound on a symbol's name, with its NUL (6.1 and later). */
#define KSYM_NAME_LEN 512

struct ksym_count {
	int vmlinux;                /* text symbols of vmlinux with that name */
	int modules;                /* ... of loaded modules */
	char module[KMOD_NAME_MAX]; /* the first such module */
};

/* Count func's text symbols: 0, or a negative errno when kallsyms cannot be read. */
int kallsyms_count_text(const char *func, struct ksym_count *count);

/*
 * A compiler clone of vmlinux's func (func.isra.0, func.constprop.0...)
 * when func itself has no text symbol: 1 and its name in clone, 0 if
 * none, or a negative errno.
 */
int kallsyms_find_clone(const char *func, char *clone, size_t size);

/*
 * One line of /proc/kallsyms ("ffffffff81000000 T name [module]"): 1 and
 * name (and module, "" for vmlinux) set for a text symbol, 0 for another
 * symbol, -EINVAL for a malformed line. name and module point into line,
 * which is modified.
 */
int kallsyms_parse_line(char *line, const char **name, const char **module);

#endif /* BPFLP_KALLSYMS_H */
