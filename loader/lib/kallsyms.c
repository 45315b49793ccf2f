// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kallsyms.h"

#define KALLSYMS "/proc/kallsyms"

struct ksym {
	char *name;
	char *module; /* NULL: vmlinux */
};

/* Text symbols sorted by name; read once per process and kept. */
static struct {
	bool loaded;
	int err;
	struct ksym *syms;
	size_t nr;
} text;

int kallsyms_parse_line(char *line, const char **name, const char **module)
{
	char *save = NULL, *type, *mod;

	if (!strtok_r(line, " \t\n", &save))
		return -EINVAL;
	type = strtok_r(NULL, " \t\n", &save);
	*name = strtok_r(NULL, " \t\n", &save);
	if (!type || !*name || type[1])
		return -EINVAL;
	/* t/T: text; a module's symbols come as "name\t[module]". */
	if (type[0] != 't' && type[0] != 'T')
		return 0;
	mod = strtok_r(NULL, " \t\n", &save);
	*module = "";
	if (mod) {
		size_t len = strlen(mod);

		if (len < 3 || mod[0] != '[' || mod[len - 1] != ']')
			return -EINVAL;
		mod[len - 1] = '\0';
		*module = mod + 1;
	}
	return 1;
}

static int cmp_ksym(const void *a, const void *b)
{
	return strcmp(((const struct ksym *)a)->name, ((const struct ksym *)b)->name);
}

static int add_ksym(const char *name, const char *module, size_t *alloc)
{
	struct ksym *syms, *s;

	if (text.nr == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 65536;
		syms = realloc(text.syms, *alloc * sizeof(*syms));
		if (!syms)
			return -ENOMEM;
		text.syms = syms;
	}
	s = &text.syms[text.nr];
	s->name = strdup(name);
	s->module = module[0] ? strdup(module) : NULL;
	if (!s->name || (module[0] && !s->module)) {
		free(s->name);
		free(s->module);
		return -ENOMEM;
	}
	text.nr++;
	return 0;
}

static void load_text(void)
{
	const char *name, *module;
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	FILE *f;

	text.loaded = true;
	f = fopen(KALLSYMS, "re");
	if (!f) {
		text.err = -errno;
		return;
	}
	while (!text.err && getline(&line, &cap, f) > 0)
		if (kallsyms_parse_line(line, &name, &module) > 0)
			text.err = add_ksym(name, module, &alloc);
	if (!text.err && ferror(f))
		text.err = -EIO;
	free(line);
	fclose(f);
	if (!text.err && !text.nr)
		text.err = -ENODATA;
	if (!text.err)
		qsort(text.syms, text.nr, sizeof(*text.syms), cmp_ksym);
}

int kallsyms_count_text(const char *func, struct ksym_count *count)
{
	struct ksym key = { .name = (char *)func }, *hit;

	memset(count, 0, sizeof(*count));
	if (!text.loaded)
		load_text();
	if (text.err)
		return text.err;
	hit = bsearch(&key, text.syms, text.nr, sizeof(*text.syms), cmp_ksym);
	if (!hit)
		return 0;
	while (hit > text.syms && !strcmp(hit[-1].name, func))
		hit--;
	for (; hit < text.syms + text.nr && !strcmp(hit->name, func); hit++) {
		if (!hit->module) {
			count->vmlinux++;
			continue;
		}
		if (!count->modules++)
			snprintf(count->module, sizeof(count->module), "%s", hit->module);
	}
	return 0;
}

/*
 * GCC's clones of func (func.isra.0, func.constprop.0, func.part.0): C
 * names hold no dot, so "func." starts only them. Sorted by name, they
 * follow func itself, from the lower bound of "func.". A ".cold" part is
 * a fragment split off a function, not a clone of it: skipped. A func
 * that has a text symbol of its own is not "only a clone": none.
 */
int kallsyms_find_clone(const char *func, char *clone, size_t size)
{
	size_t len = strlen(func), lo = 0, hi;
	struct ksym_count own;
	int err = kallsyms_count_text(func, &own);

	if (err)
		return err;
	if (own.vmlinux || own.modules)
		return 0;
	for (hi = text.nr; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(text.syms[mid].name, func, len);

		if (c < 0 || (c == 0 && text.syms[mid].name[len] < '.'))
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < text.nr && !strncmp(text.syms[lo].name, func, len) &&
	       text.syms[lo].name[len] == '.';
	     lo++) {
		if (text.syms[lo].module || strstr(text.syms[lo].name + len, ".cold"))
			continue;
		snprintf(clone, size, "%s", text.syms[lo].name);
		return 1;
	}
	return 0;
}
