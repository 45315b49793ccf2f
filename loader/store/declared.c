// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "declared.h"
#include "store.h"

int declared_write(const char *dir, const struct patch_declared *decl)
{
	char pin[PATH_MAX];

	if (!decl->nr_shadows && !decl->nr_states)
		return 0;
	return store_pin_path(pin, sizeof(pin), dir, NULL, DECLARED_PIN) ?:
		       store_write_record(pin, "bpflp_declared", decl, sizeof(*decl));
}

/* Read back from bpffs: counts in range, strings ended. */
static bool declared_valid(const struct patch_declared *d)
{
	if (d->magic != DECLARED_MAGIC || d->format != DECLARED_VERSION ||
	    d->nr_shadows > BPFLP_MAX_SHADOWS || d->nr_states > BPFLP_MAX_STATES)
		return false;
	for (__u32 i = 0; i < d->nr_shadows; i++)
		if (!memchr(d->shadows[i].name, '\0', sizeof(d->shadows[i].name)) ||
		    !memchr(d->shadows[i].layout, '\0', sizeof(d->shadows[i].layout)))
			return false;
	return true;
}

int declared_read(const char *dir, struct patch_declared *decl)
{
	char pin[PATH_MAX];
	int err;

	memset(decl, 0, sizeof(*decl));
	err = store_pin_path(pin, sizeof(pin), dir, NULL, DECLARED_PIN) ?:
		      store_read_record(pin, decl, sizeof(*decl));
	if (err == -ENOENT) {
		memset(decl, 0, sizeof(*decl));
		return 0;
	}
	if (!err && !declared_valid(decl))
		err = -EPROTO;
	return err;
}
