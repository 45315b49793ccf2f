/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What an applied patch declared that outlives its programs: its shadow
 * variables and its system-state versions. One small record per patch,
 * pinned as patches/NAME@VERSION/declared beside (not inside) struct
 * patch_meta, so older records stay readable. A patch declaring nothing
 * has none. Read by the rules of later applies (patch_state.c), by the
 * freeing of shadows after a commit (shadow.c) and by list/show.
 */
#ifndef BPFLP_DECLARED_H
#define BPFLP_DECLARED_H

#include "bpflp/abi.h"

#define DECLARED_MAGIC    0x4c434544U /* "DECL" */
#define DECLARED_VERSION  1U
#define DECLARED_PIN      "declared"
#define SHADOW_LAYOUT_MAX 192

struct declared_shadow {
	char name[BPFLP_NAME_MAX + 1];
	__u8 pad[3];
	__u32 value_size;
	__u32 max_entries;
	char layout[SHADOW_LAYOUT_MAX]; /* btf_layout_str() of the value type */
};

struct declared_state {
	__u32 id;
	__u32 version;
};

struct patch_declared {
	__u32 magic;
	__u32 format; /* DECLARED_VERSION */
	__u32 nr_shadows;
	__u32 nr_states;
	struct declared_shadow shadows[BPFLP_MAX_SHADOWS];
	struct declared_state states[BPFLP_MAX_STATES];
};

/* Pin dir/declared (a patch declaring nothing gets none). */
int declared_write(const char *dir, const struct patch_declared *decl);
/* 0 and *decl (empty when dir has no record), or a negative errno. */
int declared_read(const char *dir, struct patch_declared *decl);

#endif /* BPFLP_DECLARED_H */
