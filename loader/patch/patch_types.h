/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The patch model's data: what patch_object_open() fills in from a patch
 * object file. Its functions are in patch_object.h (open, load, close),
 * shadow.h (BPFLP_SHADOW) and patch_state.h (BPFLP_STATE), which all
 * include this and not each other.
 */
#ifndef BPFLP_PATCH_TYPES_H
#define BPFLP_PATCH_TYPES_H

#include <limits.h>
#include <stdbool.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "kmod_util.h"
#include "prog_fingerprint.h"
#include "sha256.h"

struct shadow_decl {
	char name[BPFLP_NAME_MAX + 1];
	struct bpf_map *map;         /* bpflp_shadow_NAME */
	struct bpf_map *from;        /* bpflp_shadow_from_NAME: a migration's source, or NULL */
	struct bpf_program *migrate; /* bpflp_migrate_NAME, with from */
	int existing_fd;             /* the pinned shadow found by shadow_plan, or -1 */
	bool migrating;              /* it has another layout: converted into a fresh map */
	__u64 converted;             /* entries the migration wrote, both passes */
};

struct state_decl {
	__u32 id;
	__u32 version;
	struct bpflp_state_decl *rodata; /* where the callbacks read prev_*, until load */
};

enum patch_callback {
	CB_PRE_PATCH,
	CB_POST_PATCH,
	CB_PRE_UNPATCH,
	CB_POST_UNPATCH,
	CB_COUNT,
};

/* Maps of patch.bpf.h and shadow.bpf.h the loader finds by name. */
#define PATCH_STATS_MAP   "bpflp_stats"
#define PATCH_VERDICT_MAP "bpflp_verdict"
#define SHADOW_MAP_PREFIX "bpflp_shadow_"

/* Larger files are refused before they are read. */
#define PATCH_OBJECT_MAX_SIZE (64L << 20)

struct patch_prog {
	struct bpf_program *prog;
	enum bpflp_kind kind;
	char func[BPFLP_FUNC_NAME_MAX];
	__u64 func_key;             /* kernel_func.h: its BTF id (and module BTF object) */
	const struct btf *btf;      /* vmlinux's or its module's */
	char module[KMOD_NAME_MAX]; /* "" for vmlinux */
	__u64 *rodata_key;          /* where the program reads it, until load */
	__u32 *rodata_idx;          /* its counters' index in bpflp_stats */
	__u32 *rodata_snap;         /* enum bpflp_snap_mode of the patch on func */
	int traceable;              /* kernel_func_traceable(func): 1, or < 0 if unknown */
	bool companion; /* BPFLP_REPLACE run by the companion module, not a trampoline */
	bool any_value; /* BPFLP_REPLACE_ANY: may return 0, so the companion route only */
	struct prog_fingerprint fingerprint; /* what it is, to compare with what runs */
	/*
	 * Kept (apply --dispatch): the same program runs on the function
	 * today, dispatched; it is not loaded, and kept_fd, that running
	 * program, is pinned for this patch in its place.
	 */
	bool kept;
	int kept_fd;
};

struct patch_object {
	struct bpf_object *obj;
	struct bpf_rodata *rodata; /* obj's .rodata variables by name, until load */
	char path[PATH_MAX];       /* as given */
	char real_path[PATH_MAX];  /* canonical, as recorded */
	void *image;               /* the file's bytes, read once from the checked fd */
	size_t image_size;
	__u8 digest[SHA256_DIGEST_SIZE]; /* SHA-256 of image */
	struct bpflp_patch_info info;
	struct patch_prog progs[BPFLP_MAX_FUNCS];
	int nr_progs;
	struct bpf_program *callbacks[CB_COUNT];
	/* Pins (LIBBPF_PIN_BY_NAME maps) this load created, undone on abort. */
	char created_pins[8][256];
	int nr_created_pins;
	/* BPFLP_SHADOW declarations, and what shadow_plan found pinned for them. */
	struct shadow_decl shadows[BPFLP_MAX_SHADOWS];
	int nr_shadows;
	struct state_decl states[BPFLP_MAX_STATES]; /* BPFLP_STATE declarations */
	int nr_states;
};

#endif /* BPFLP_PATCH_TYPES_H */
