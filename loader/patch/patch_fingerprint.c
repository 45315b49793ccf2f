// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include "output.h"
#include "patch_fingerprint.h"
#include "store.h"
#include "util.h"

bool patch_shares(const char *name)
{
	static const char *const per_patch[] = { "bpflp_stats", "bpflp_verdict" };

	for (size_t m = 0; m < STORE_NR_SHARED_MAPS; m++)
		if (!strcmp(name, store_shared_maps[m]))
			return true;
	for (size_t m = 0; m < ARRAY_SIZE(per_patch); m++)
		if (!strcmp(name, per_patch[m]))
			return true;
	return !strcmp(name, BPFLP_STATE_SECTION) || !strncmp(name, "bpflp_shadow_", 13);
}

int patch_object_fingerprint(struct patch_object *po)
{
	char why[256];
	struct fp_object *fo =
		fp_object_open(po->image, po->image_size, po->obj, patch_shares, why, sizeof(why));
	int err = fo ? 0 : -errno;

	for (int i = 0; i < po->nr_progs && !err; i++)
		err = fp_program(fo, po->progs[i].prog, &po->progs[i].fingerprint, why, sizeof(why));
	fp_object_free(fo);
	if (err)
		p_err("cannot fingerprint the programs of %s: %s", po->path, why);
	return err;
}
