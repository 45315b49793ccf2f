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
#include "patch_state.h"
#include "sha256.h"
#include "shadow.h"

enum patch_callback {
	CB_PRE_PATCH,
	CB_POST_PATCH,
	CB_PRE_UNPATCH,
	CB_POST_UNPATCH,
	CB_COUNT,
};

/* Larger files are refused before they are read. */
#define PATCH_OBJECT_MAX_SIZE (64L << 20)

struct patch_prog {
	struct bpf_program *prog;
	enum bpflp_kind kind;
	char func[BPFLP_FUNC_NAME_MAX];
	__u64 func_key;        /* kernel_func.h: its BTF id (and module BTF object) */
	const struct btf *btf; /* vmlinux's or its module's */
	char module[64];       /* "" for vmlinux */
	__u64 *rodata_key;     /* where the program reads it, until load */
	__u32 *rodata_idx;     /* its counters' index in bpflp_stats */
	__u32 *rodata_snap;    /* enum bpflp_snap_mode of the patch on func */
	int traceable;         /* kernel_func_traceable(func): 1, or < 0 if unknown */
	bool companion;        /* BPFLP_REPLACE run by the companion module, not a trampoline */
	bool any_value;        /* BPFLP_REPLACE_ANY: may return 0, so the companion route only */
};

struct patch_object {
	struct bpf_object *obj;
	char path[PATH_MAX];      /* as given */
	char real_path[PATH_MAX]; /* canonical, as recorded */
	void *image;              /* the file's bytes, read once from the checked fd */
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

extern const char *const patch_callback_names[CB_COUNT];

const char *bpflp_kind_name(enum bpflp_kind kind);
/* Does the patch have a BPFLP_FEXIT program on func (its calls then keep their word to the exit)? */
bool patch_has_fexit_on(const struct patch_object *po, const char *func);
/* When pp's gate keeps its call's snapshot of the word (abi.h). */
enum bpflp_snap_mode patch_snap_mode(const struct patch_object *po, const struct patch_prog *pp);
bool patch_name_valid(const char *name);

/*
 * Open and validate: file, ELF/BPF, BPFLP_PATCH identity, one gated program
 * per (function, kind), targets present and modifiable in this kernel.
 * Unless allow_insecure, the file must be root's and not group/world
 * writable. Prints the error; returns 0 or a negative errno. Changes nothing.
 */
int patch_object_open(struct patch_object *po, const char *path, bool allow_insecure);

/*
 * Prepare for load into slot, then load (runs the verifier). Without
 * shared_pin_dir it is a dry run: the object gets fresh maps of its own and
 * pins nothing, so its gates read a commit word nobody ever sets. A real
 * load takes over the shadows shadow_plan() found pinned.
 */
int patch_object_load(struct patch_object *po, __u32 slot, __u64 gen, const char *shared_pin_dir);

/* Remove the map pins this object's load created (an aborted apply). */
void patch_object_unpin_created(struct patch_object *po);

/* After load: every program must read the commit word (its gate). */
int patch_object_check_gates(struct patch_object *po, int state_map_fd);

void patch_object_close(struct patch_object *po);

/* Pointer to a variable in the object's .rodata image (before load). */
void *patch_object_rodata_var(struct bpf_object *obj, const char *var, size_t size);

#endif /* BPFLP_PATCH_OBJECT_H */
