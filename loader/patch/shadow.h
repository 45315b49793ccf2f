/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shadow variables across patches (include/bpflp/shadow.bpf.h). Each
 * BPFLP_SHADOW is one hash map pinned at shadow/NAME. A patch declaring a
 * shadow that is already pinned is loaded onto that map (bpf_map__reuse_fd),
 * so its programs, once the commit opens their gates, find the entries the
 * previous patch left; the value layout must be the same (BTF, field by
 * field) unless the patch declares a migration, which converts the entries
 * into a fresh map pinned at shadow/migrating/NAME until the commit. After each
 * commit (reconcile), shadows no active patch declares are freed, or moved
 * to shadow/kept/ by `disable --keep-shadow`, from where a later patch
 * declaring them takes them back.
 */
#ifndef BPFLP_SHADOW_H
#define BPFLP_SHADOW_H

#include <limits.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "declared.h"
#include "store.h"

#define SHADOW_DIR      STORE_ROOT "/shadow"
#define SHADOW_KEPT_DIR SHADOW_DIR "/kept"
/* bpffs refuses names with a dot: a migration's map waits in a directory of its own. */
#define SHADOW_MIGRATING_DIR SHADOW_DIR "/migrating"

struct patch_object;
struct registry;

/* patch_object_open: find the shadows and migrations; refuse malformed ones. */
int shadow_scan(struct patch_object *po);
/*
 * check and apply, before load: match each shadow with the one pinned (or
 * kept); refuse a different layout without a migration, naming the first
 * differing field. Changes nothing. Prints the error.
 */
int shadow_plan(struct patch_object *po, bool stack);
/* A real load, before bpf_object__load: reuse the pinned maps; add the pins it will create to po->created_pins. */
int shadow_bind(struct patch_object *po);
/* After the journal lists them: pin the shadows the load created. */
int shadow_pin_created(struct patch_object *po);
/* Run the migrations: before the commit (all entries), or after it (catch_up: only the missing). */
int shadow_migrate(struct patch_object *po, bool catch_up);
/* What the record says about the patch's shadows. */
void shadow_declare(const struct patch_object *po, struct patch_declared *decl);
/*
 * After a commit: migrated maps take their names, shadows no active patch
 * declares are freed (keep: moved to kept/), kept ones declared again come
 * back. Idempotent, for recovery.
 */
int shadow_settle(const struct registry *reg, bool keep);
/*
 * A shadow pin deleted by hand while an active patch uses the map: pinned
 * again from the patch's programs, so the next patch inherits the entries
 * instead of starting empty (transaction start, as for the shared maps).
 */
void shadow_repin(const struct registry *reg);
/*
 * The map of shadow decl that a program pinned in dir uses: same kernel
 * name (truncated to BPF_OBJ_NAME_LEN - 1), sizes and layout. An fd, or
 * -ENOENT; -EEXIST when two maps match (then nothing is guessed). Reads only.
 */
struct declared_shadow;
int shadow_find_map(const char *dir, const struct declared_shadow *decl);
/* After a roll back removed its pins: the shadow directories it left empty. */
void shadow_remove_empty_dirs(void);
/* Entries in the shadow pinned at pin. */
int shadow_count_entries(const char *pin, __u64 *count);
void shadow_release(struct patch_object *po);

#endif /* BPFLP_SHADOW_H */
