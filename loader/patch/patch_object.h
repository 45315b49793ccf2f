/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A patch object file: its identity, its gated programs and callbacks,
 * validated before anything touches the kernel.
 */
#ifndef BPFLP_PATCH_OBJECT_H
#define BPFLP_PATCH_OBJECT_H

#include <limits.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "patch_types.h"

extern const char *const patch_callback_names[CB_COUNT];

const char *bpflp_kind_name(enum bpflp_kind kind);
/* Does the patch have a BPFLP_FEXIT program on func (its calls then keep their word to the exit)? */
bool patch_has_fexit_on(const struct patch_object *po, const char *func);
/*
 * Are a and b on the same function? Their keys first: a compare, where
 * strcmp in loops over N programs made them O(N^2) string walks. Valid
 * once the programs are classified (func_key set).
 */
bool patch_progs_same_func(const struct patch_prog *a, const struct patch_prog *b);
/* When pp's gate keeps its call's snapshot of the word (abi.h). */
enum bpflp_snap_mode patch_snap_mode(const struct patch_object *po, const struct patch_prog *pp);
bool patch_name_valid(const char *name);
/*
 * --dispatch (apply, install): every program of the patch can run from its
 * function's dispatch stub, an fmod_ret program that runs one other: so
 * every program is an fmod_ret one on a trampoline, one per function
 * (fentry and fexit programs stay links: docs/design.md). 0, or -EINVAL
 * with the program that cannot, said.
 */
int patch_check_dispatchable(const struct patch_object *po);

/*
 * Open and validate: file, ELF/BPF, BPFLP_PATCH identity, one gated program
 * per (function, kind), targets present and modifiable in this kernel.
 * Unless allow_insecure, the file must be root's and not group/world
 * writable. Prints the error; returns 0 or a negative errno. Changes nothing.
 */
int patch_object_open(struct patch_object *po, const char *path, bool allow_insecure);

/*
 * Prepare for load into slot, then load (runs the verifier). shared: the
 * object's shared maps are the ones pinned in STORE_ROOT (share_maps).
 * Without it, a dry run: the object gets fresh maps of its own and pins
 * nothing, so its gates read a commit word nobody ever sets. A real load
 * takes over the shadows shadow_plan() found pinned.
 */
int patch_object_load(struct patch_object *po, __u32 slot, __u64 gen, bool shared);

/* Remove the map pins this object's load created (an aborted apply). */
void patch_object_unpin_created(struct patch_object *po);

/*
 * The map the object's gates read bpflp_state through (its
 * BPFLP_STATE_SECTION map): the pinned one once loaded with a pin dir, its
 * own after a dry run.
 */
int patch_object_state_fd(const struct patch_object *po);
/* After load: every program must read the commit word (its gate). */
int patch_object_check_gates(struct patch_object *po, int state_map_fd);

void patch_object_close(struct patch_object *po);

#endif /* BPFLP_PATCH_OBJECT_H */
