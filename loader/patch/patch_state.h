/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System-state versions (BPFLP_STATE, include/bpflp/state.bpf.h) and the
 * klp_state rules between patches: a cumulative replace must carry every
 * state id of the active patches at a version at least as high; a stacked
 * patch, every one it shares with them. Checked before anything loads.
 */
#ifndef BPFLP_PATCH_STATE_H
#define BPFLP_PATCH_STATE_H

#include <stdbool.h>
#include "bpflp/abi.h"
#include "declared.h"

struct patch_object;
struct registry;

/* patch_object_open: read the BPFLP_STATE declarations (.rodata.bpflp, or .rodata). */
int patch_state_scan(struct patch_object *po);
/*
 * apply: check po against the active patches in reg (prints the error
 * naming the state), then tell po's callbacks what the replaced patch
 * declared (prev_present, prev_version). Changes nothing in the kernel.
 */
int patch_state_check(struct patch_object *po, const struct registry *reg, bool stack);
void patch_state_declare(const struct patch_object *po, struct patch_declared *decl);

#endif /* BPFLP_PATCH_STATE_H */
