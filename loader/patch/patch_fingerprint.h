/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fingerprints of a patch object's programs (prog_fingerprint.h), as
 * bpflp shares maps: its shared maps and the commit word's section, its
 * per-patch counters and verdict, and shadows (handed from patch to patch)
 * carry no state of the object's own.
 */
#ifndef BPFLP_PATCH_FINGERPRINT_H
#define BPFLP_PATCH_FINGERPRINT_H

#include <stdbool.h>
#include "patch_types.h"

/* Is the map or data section of this name one bpflp shares or hands over (fp_shared_fn)? */
bool patch_shares(const char *name);
/* Fill every program's fingerprint from the file's bytes. 0 or a negative errno (reported). */
int patch_object_fingerprint(struct patch_object *po);

#endif /* BPFLP_PATCH_FINGERPRINT_H */
