/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp's state in bpffs. Everything lives under one directory (mode 0700)
 * so it outlives the loader and operators find it with bpftool:
 *
 *   /sys/fs/bpf/bpflp/bpflp_state      commit word (shared map)
 *   /sys/fs/bpf/bpflp/bpflp_cover      function -> covering slots
 *   /sys/fs/bpf/bpflp/bpflp_order      slot -> slots activated after it
 *   /sys/fs/bpf/bpflp/bpflp_snap       per-task snapshot of the word
 *   /sys/fs/bpf/bpflp/bpflp_armed      slot -> generation armed (or released)
 *   /sys/fs/bpf/bpflp/journal          the transaction in progress (journal.h), if any
 *   /sys/fs/bpf/bpflp/livepatch_txn    its livepatch module step (livepatch_txn.h), if any
 *   /sys/fs/bpf/bpflp/livepatch_kept   modules kept loaded because a transition was forced
 *   /sys/fs/bpf/bpflp/patches/NAME@VERSION/
 *       meta                           record: identity, status, functions
 *       FUNC__KIND_prog, FUNC__KIND_link   the patch's programs and links (a
 *                                      companion-route FUNC__replace_prog has no
 *                                      link: the companion module runs it)
 *       FUNC__take_prog, FUNC__take_link   bpflp's per-call snapshot of the word
 *       FUNC__drop_prog, FUNC__drop_link   (programs on every function; links
 *                                      where the patch has an fexit, or while a
 *                                      transaction needs them: snapshot_links.h)
 *       stats                          call/override counters
 *       cb_post_patch, cb_pre_unpatch, cb_post_unpatch
 *                                      callbacks run after load: by disable, and by
 *                                      recovery finishing an interrupted transaction
 *       declared                       its shadows and system states (declared.h), if any
 *       livepatch                      the livepatch module it carries (livepatch_txn.h), if any
 *
 *   /sys/fs/bpf/bpflp/dispatch/KEY/fmod_ret/
 *       array, prog, link              a dispatched function's stub (dispatch_set.h):
 *                                      its program array of two sides, its program and
 *                                      its link; KEY is the function's key in hex
 *
 *   /sys/fs/bpf/bpflp/shadow/NAME      a shadow variable (shadow.h); migrating/NAME
 *                                      until a migration commits, kept/NAME after
 *                                      disable --keep-shadow
 *
 *   /sys/fs/bpf/bpflp/records/NAME@VERSION
 *                                      the same record as NAME@VERSION/meta, pinned
 *                                      twice so either pin can be restored
 *
 * A replaced or disabled patch keeps only its meta, so `bpflp list` still
 * shows it.
 */
#ifndef BPFLP_STORE_H
#define BPFLP_STORE_H

#include <limits.h>
#include <stdbool.h>
#include "bpflp/abi.h"
#include "sha256.h"

#define BPFFS_ROOT     "/sys/fs/bpf"
#define STORE_ROOT     BPFFS_ROOT "/bpflp"
#define STORE_PATCHES  STORE_ROOT "/patches"
#define STORE_RECORDS  STORE_ROOT "/records"
#define STORE_DISPATCH STORE_ROOT "/dispatch"
#define META_MAGIC     0x4154454dU /* "META" */
/*
 * Layout version of struct patch_meta, separate from BPFLP_ABI_VERSION (which
 * patch objects carry too): a new record layout must not reject objects.
 * 2: object digest added. 5: signer added.
 */
#define META_VERSION          5U
#define BPFLP_OBJECT_PATH_MAX 256 /* bytes of patch_meta.object, NUL included */
/* A patch's spec "NAME@VERSION" with its NUL: a name, '@' and up to 10 digits. */
#define PATCH_SPEC_MAX (BPFLP_NAME_MAX + 16)

/* The maps every bpflp BPF object shares, pinned as STORE_ROOT/NAME (maps.bpf.h). */
#define STORE_NR_SHARED_MAPS 5
extern const char *const store_shared_maps[STORE_NR_SHARED_MAPS];
/*
 * The commit program (bpf/commit.bpf.c), pinned beside them once loaded as
 * STORE_ROOT/bpflp_commit_HASH, HASH naming the build of the program.
 */
#define STORE_COMMIT_PIN_PREFIX "bpflp_commit_"
/*
 * Is the map of this name (in a patch object) one of them, or the section
 * BPFLP_STATE_SECTION through which the gates read bpflp_state?
 */
bool store_is_shared_map(const char *name);
/* STORE_ROOT/NAME of shared map i (PATH_MAX bytes always hold it). */
void store_shared_map_pin(char pin[PATH_MAX], size_t i);

enum patch_status {
	PATCH_STAGED = 0, /* attached, gate shut: a transaction in progress */
	PATCH_ACTIVE,
	PATCH_DISABLED,
	PATCH_REPLACED,
};

enum patch_mode {
	MODE_REPLACE = 0,
	MODE_STACK,
};

enum func_route_kind {
	FUNC_ROUTE_TRAMPOLINE = 0, /* a BPF link on the function's trampoline */
	FUNC_ROUTE_COMPANION,      /* run by the companion module (companion_attach.h) */
	/*
	 * Run by the function's dispatch stub from its program array
	 * (dispatch_set.h); pinned FUNC__KIND_prog with no link. An older
	 * bpflp's meta_valid() refuses a record with it.
	 */
	FUNC_ROUTE_DISPATCH,
};

struct func_meta {
	char name[BPFLP_FUNC_NAME_MAX];
	__u64 key;   /* the function's key (abi.h): its BTF id, and its module's BTF object */
	__u32 kind;  /* enum bpflp_kind */
	__u32 route; /* enum func_route_kind (was padding: old records read 0) */
};

/* The record pinned as NAME@VERSION/meta (userspace only, but versioned). */
struct patch_meta {
	__u32 magic;
	__u32 format; /* META_VERSION */
	char name[BPFLP_NAME_MAX + 1];
	__u8 pad[3];
	__u32 version;
	__u32 slot;
	__u32 mode;   /* enum patch_mode */
	__u32 status; /* enum patch_status */
	__u32 nr_funcs;
	__u32 callbacks;  /* bit per enum patch_callback present */
	__u64 applied_at; /* CLOCK_REALTIME ns */
	__u64 changed_at;
	__u64 gen; /* instance generation, armed in bpflp_armed while active */
	char object[BPFLP_OBJECT_PATH_MAX]; /* canonical path it was applied from */
	char replaced_by[PATCH_SPEC_MAX];
	__u8 digest[SHA256_DIGEST_SIZE]; /* SHA-256 of the object file */
	/* Who signed the object (signature.h): the subject CN, "" when unsigned. */
	char signer[64];
	__u8 signer_sha256[SHA256_DIGEST_SIZE]; /* SHA-256 of the signer's certificate */
	struct func_meta funcs[BPFLP_MAX_FUNCS];
};

struct patch_record {
	struct patch_meta meta;
	char dir[PATH_MAX];
	/* Pins deleted by hand (see drift.h): read from the other record pin. */
	bool meta_pin_missing;
	bool copy_pin_missing;
	bool dir_missing; /* the whole directory: every pin of the patch */
};

struct registry {
	struct patch_record *recs;
	int nr;
};

const char *patch_status_name(enum patch_status status);
const char *patch_mode_name(enum patch_mode mode);

/* Mount bpffs if needed and create the state tree (0700). */
int store_ensure(void);
/*
 * Take the transaction lock (flock on the state directory) without waiting;
 * returns an fd or a negative errno (reported). With create, makes the
 * state tree first; without, returns -ENOENT (not reported) if there is none.
 */
int store_lock(bool create);
void store_unlock(int fd);

/* Every record under patches/, oldest apply first. */
int store_load(struct registry *reg);
void registry_free(struct registry *reg);
struct patch_record *registry_find(struct registry *reg, const char *name, __u32 version);
/*
 * The VERSION of a NAME@VERSION spec: 1 and *version set, 0 when there is
 * no '@', -EINVAL when NAME is empty or VERSION is not exactly a decimal
 * number 0-4294967295 (no sign, spaces or leading zeros).
 */
int patch_spec_version(const char *spec, __u32 *version);
/* The active record named NAME, or NAME@VERSION; NULL for a bad spec. */
struct patch_record *registry_find_spec(struct registry *reg, const char *spec);
__u64 registry_active_mask(const struct registry *reg);

/* Both return 0 or -ENAMETOOLONG (never a truncated path). */
int store_patch_dir(char *buf, size_t size, const char *name, __u32 version);
int store_pin_path(char *buf, size_t size, const char *dir, const char *func, const char *what);
/* Are funcs[i] and funcs[j] on the same function (keys compared first: cheap in loops)? */
bool meta_same_func(const struct patch_meta *m, __u32 i, __u32 j);
/* Is funcs[i] the first entry of the record on its function? */
bool meta_first_on_func(const struct patch_meta *m, __u32 i);
/*
 * Does m run a program on func from its dispatch stub (FUNC_ROUTE_DISPATCH)?
 * The _at form asks of funcs[i]'s function: cheaper in a loop over m.
 */
bool meta_dispatches(const struct patch_meta *m, const char *func);
bool meta_dispatches_at(const struct patch_meta *m, __u32 i);
/* When m's gates on func (funcs[i]'s) keep a snapshot (patch_snap_mode, from the record). */
enum bpflp_snap_mode meta_snap_mode(const struct patch_meta *m, const char *func);
enum bpflp_snap_mode meta_snap_mode_at(const struct patch_meta *m, __u32 i);
/* One record in a pinned one-entry array map, created (filled, then pinned) if missing. */
int store_write_record(const char *pin, const char *map_name, const void *value, __u32 size);
int store_read_record(const char *pin, void *value, __u32 size);

/* Are a record's counts, indexes and strings in range (it is read back from bpffs)? */
bool meta_valid(const struct patch_meta *m);
/* Create or update the record of DIR (DIR/meta and its copy), restoring a missing pin. */
int store_write_meta(const char *dir, const struct patch_meta *meta);
/* Remove both pins of DIR's record. */
int store_remove_meta(const char *dir);

/*
 * Read bpflp_state (abi.h): all zero, and 0, when bpflp never ran here;
 * -EPROTO (reported) when another ABI's bpflp made it.
 */
int store_read_state(struct bpflp_state *state);
/* 0 if bpflp_state is absent or this bpflp's; -EPROTO (reported) if another ABI's. */
int store_check_state(void);
/* store_check_state for a bpflp_state map already open. */
int store_check_state_fd(int fd);
/* Read the live commit word. */
int store_read_commit_word(__u64 *mask);

#endif /* BPFLP_STORE_H */
