// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include "fingerprints.h"
#include "store.h"

int fingerprints_write(const char *dir, const struct patch_fingerprints *fps)
{
	char pin[PATH_MAX];

	return store_pin_path(pin, sizeof(pin), dir, NULL, FINGERPRINTS_PIN) ?:
		       store_write_record(pin, "bpflp_fprints", fps, sizeof(*fps));
}

int fingerprints_read(const char *dir, struct patch_fingerprints *fps)
{
	char pin[PATH_MAX];
	int err;

	err = store_pin_path(pin, sizeof(pin), dir, NULL, FINGERPRINTS_PIN) ?:
		      store_read_record(pin, fps, sizeof(*fps));
	if (!err && (fps->magic != FINGERPRINTS_MAGIC || fps->format != FINGERPRINTS_VERSION ||
		     fps->nr > BPFLP_MAX_FUNCS))
		err = -EPROTO;
	return err;
}
