// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "log.h"
#include "output.h"
#include "patch_fingerprint.h"
#include "store.h"
#include "util.h"

bool patch_shares(const char *name)
{
	static const char *const per_patch[] = { PATCH_STATS_MAP, PATCH_VERDICT_MAP };

	if (store_is_shared_map(name))
		return true;
	for (size_t m = 0; m < ARRAY_SIZE(per_patch); m++)
		if (!strcmp(name, per_patch[m]))
			return true;
	return !strncmp(name, SHADOW_MAP_PREFIX, strlen(SHADOW_MAP_PREFIX));
}

/*
 * A program bpflp cannot fingerprint (a file libbpf loads but with
 * something this bpflp does not read) counts as changed, with -v saying
 * why, rather than refusing the patch: only running out of memory fails.
 */
int patch_object_fingerprint(struct patch_object *po)
{
	char why[256];
	struct fp_object *fo =
		fp_object_open(po->image, po->image_size, po->obj, patch_shares, why, sizeof(why));
	int err = fo || errno != ENOMEM ? 0 : -ENOMEM;

	for (int i = 0; i < po->nr_progs && !err; i++) {
		struct patch_prog *pp = &po->progs[i];

		err = fo ? fp_program(fo, pp->prog, &pp->fingerprint, why, sizeof(why)) : -EINVAL;
		if (err && err != -ENOMEM) {
			pr_debug("%s: %s not fingerprinted, so it counts as changed: %s\n",
				 po->path, pp->func, why);
			pp->fingerprint = (struct prog_fingerprint){ .flags = PROG_FP_UNKNOWN };
			err = 0;
		}
	}
	fp_object_free(fo);
	if (err)
		p_err("cannot fingerprint the programs of %s: out of memory", po->path);
	return err;
}
