/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A patch object may name its livepatch module itself
 * (BPFLP_LIVEPATCH("name") in include/bpflp/patch.bpf.h), shipped as
 * name.ko beside the object, so `bpflp apply OBJ` needs no --module.
 */
#ifndef BPFLP_LIVEPATCH_DECLARED_H
#define BPFLP_LIVEPATCH_DECLARED_H

#include <stddef.h>

/*
 * The module apply/check should use for the object at obj_path: *module
 * as given (--module), else the declared name.ko beside the object, else
 * NULL. ko_path holds the path found. 0, or a negative errno with the
 * error printed (a declared module missing, or --module naming another).
 */
int livepatch_module_for(const char *obj_path, const char **module, char *ko_path, size_t size);

#endif /* BPFLP_LIVEPATCH_DECLARED_H */
