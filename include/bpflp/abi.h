/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only contract between bpflp's BPF programs and its userspace loader.
 * Fixed-width types only; every struct that crosses the boundary in a file
 * or a pin starts with a magic and an ABI version so a loader refuses
 * objects and state written by an incompatible bpflp.
 */
#ifndef BPFLP_ABI_H
#define BPFLP_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BPFLP_MAGIC       0x504c5042U /* "BPLP" little-endian */
#define BPFLP_ABI_VERSION 8U

#define BPFLP_NAME_MAX           32    /* [a-z0-9_-]{1,32} */
#define BPFLP_FUNC_NAME_MAX      64    /* kernel symbol names */
#define BPFLP_MAX_SLOTS          64    /* bits of the commit word, and size of the maps per slot */
#define BPFLP_PATCH_SLOTS        63    /* slots a patch can take: bit 63 is BPFLP_SIDE_BIT */
#define BPFLP_MAX_FUNCS          1024  /* programs per patch */
#define BPFLP_MAX_COVERED        16384 /* functions all active patches touch */
#define BPFLP_NO_SLOT            0xffU /* rodata default: gate never opens */
#define BPFLP_DISPATCH_SLOT      0xfeU /* a stub chose the program: gate always open */
#define BPFLP_SIDE_BIT           63    /* which side of a stub's program array runs */
#define BPFLP_LIVEPATCH_NAME_MAX 56    /* the kernel's MODULE_NAME_LEN */

/* Identity a patch object carries in BPFLP_KNOB_SECTION (see BPFLP_PATCH). */
struct bpflp_patch_info {
	__u32 magic;
	__u32 abi_version;
	char name[BPFLP_NAME_MAX + 1];
	__u8 pad[3];
	__u32 version;
};

/*
 * The commit word. Every gate of every patch reads it; flipping it with one
 * atomic compare-and-swap switches the whole patch set at once. Bit N set,
 * for N below BPFLP_PATCH_SLOTS, means "the patch in slot N is active".
 * Bit BPFLP_SIDE_BIT names the side of every dispatch stub's program array
 * that runs, and every apply and disable flips it with the slots' bits, so
 * one write moves both protocols (docs/design.md, "Next"). A patch an
 * older bpflp applied in slot 63 keeps that bit as its slot until it
 * leaves (loader/engine/word_bits.h).
 *
 * flux is non-zero while a transaction holds the lock and may flip the
 * word (and after a bpflp died in one, until the next ends). Between
 * transactions the word cannot change, so a call whose programs all run on
 * entry needs no per-call snapshot of it: see bpflp__gate and
 * docs/design.md, "Between transactions".
 *
 * epoch counts transactions (each raises it with flux), so a snapshot
 * entry left by a call of an earlier one is told from this call's. snapped
 * holds the slots whose take and drop a transaction attached on their
 * entry-only functions: only their gates may push entries (BPFLP_SNAP_*).
 *
 * stats_off is non-zero while `bpflp stats off` holds the per-patch call
 * counters (bpflp_stats) still: one map lookup and one or two atomics
 * less on every patched call, as kernel.bpf_stats_enabled=0 is for the
 * kernel's own per-program figures.
 */
struct bpflp_state {
	__u64 active_mask;
	__u64 flux;
	__u64 epoch;
	__u64 snapped;
	__u64 stats_off;
};

/*
 * The section of the global through which gates, takes and drops read
 * bpflp_state (snapshot.bpf.h). libbpf makes it a one-entry array map; the
 * loader gives it bpflp_state's flags and pin, so both name one map.
 */
#define BPFLP_STATE_SECTION ".data.bpflp_state"

/*
 * The section of bpflp's read-only variables in a patch object: its
 * identity and the knobs the loader sets before load (slot, generation,
 * each program's target, counter index and snapshot mode). Apart from the
 * author's own read-only data, so that a program's fingerprint can cover
 * all of what it may read there without depending on how many programs the
 * object has (prog_fingerprint.h); libbpf makes it a map of its own.
 */
#define BPFLP_KNOB_SECTION ".rodata.bpflp"

/*
 * When a gated program keeps its call's snapshot of the word (rodata
 * bpflp_snap_<prog>, set by the loader):
 * ON_DEMAND: the patch has only entry programs on the function, on a
 *   trampoline; its take and drop are attached there only during a
 *   transaction that needs them (its slot in bpflp_state.snapped).
 * EXIT: the patch has an fexit program there; take and drop are always on.
 * COMPANION: the companion module runs the function's drops on every call.
 */
enum bpflp_snap_mode {
	BPFLP_SNAP_ON_DEMAND,
	BPFLP_SNAP_EXIT,
	BPFLP_SNAP_COMPANION,
};

/*
 * Per-task copies of the commit word, one per patched call in progress on
 * the task (a stack: a patched function may call another, or an interrupt
 * may run one). The first bpflp program of a call to find no entry for the
 * call (normally the newest patch's take, an fentry program) pushes one
 * with the live word; every gate of the call then uses that copy, so one
 * call never sees the old patch set in one program and the new one in the
 * next, which could let it slip through unpatched during a replace. Each
 * patch's take and gates mark its slot in `takers`; each patch's drop (an
 * fexit program, attached before the patch's programs) clears it, and the
 * entry goes with the last. An entry the kernel kept past its call (its
 * drops skipped) is told from the next call's by its epoch and marks.
 * See include/bpflp/snapshot.bpf.h and docs/design.md.
 */
#define BPFLP_SNAP_DEPTH 8

struct bpflp_snap_entry {
	__u64 ctx;         /* trampoline frame of the call */
	__u64 func_key;    /* the function called */
	__u64 active_mask; /* commit word at the call's start */
	__u64 takers;      /* slots whose take program saw this call */
	__u64 epoch;       /* bpflp_state.epoch when it was pushed or renewed */
};

struct bpflp_snapshot {
	__u32 depth; /* entries in use */
	__u32 pad;
	struct bpflp_snap_entry entries[BPFLP_SNAP_DEPTH];
};

enum bpflp_kind {
	BPFLP_KIND_FENTRY = 0,
	BPFLP_KIND_FEXIT = 1,
	BPFLP_KIND_FMOD_RET = 2,
	BPFLP_KIND_REPLACE = 3, /* BPFLP_REPLACE: fmod_ret, or the companion module */
};

/*
 * Functions are keyed by their BTF id (stable while the kernel runs): in
 * vmlinux the id alone; in a module, its BTF object's id in the high 32
 * bits and the BTF id in the low ones (module ids continue vmlinux's
 * numbering, so two modules can use the same id). The loader writes the
 * key into each program's rodata: cheaper to find than an address, which
 * needs a scan of /proc/kallsyms.
 */

/* Per-patch statistics: a per-CPU array indexed by program (the record's function order). */
struct bpflp_stat {
	__u64 calls;     /* gate open: the patch handled the call */
	__u64 overrides; /* fmod_ret returned non-zero: original skipped */
};

/*
 * Shadow variables (include/bpflp/shadow.bpf.h): data attached to a kernel
 * object, keyed as klp_shadow is, by the object's address and a number.
 * Each shadow is one hash map, pinned at /sys/fs/bpf/bpflp/shadow/NAME and
 * handed from patch to patch.
 */
#define BPFLP_MAX_SHADOWS 8  /* per patch */
#define BPFLP_MAX_STATES  16 /* BPFLP_STATE declarations per patch */

struct bpflp_shadow_key {
	__u64 obj; /* the object's address */
	__u64 id;  /* which shadow of it */
};

/*
 * A system-state version (BPFLP_STATE), in BPFLP_KNOB_SECTION. The loader fills in
 * prev_* before load from the active patch that declares the same id, so
 * callbacks can tell a fresh setup from a take-over (klp_get_prev_state).
 */
struct bpflp_state_decl {
	__u32 magic; /* BPFLP_MAGIC */
	__u32 id;
	__u32 version;
	__u32 prev_present; /* an active patch declared id when this one was applied */
	__u32 prev_version; /* its version */
	__u32 pad;
};

/* In/out context of a migration callback (BPFLP_SHADOW_MIGRATE). */
struct bpflp_migrate_args {
	__u32 catch_up; /* in: 0 before the commit, 1 after it (only missing entries) */
	__u32 pad;
	__u64 converted; /* out: entries written */
};

/* In/out context of the commit program (BPF_PROG_TEST_RUN). */
struct bpflp_commit_args {
	__u64 expected_mask; /* in: word the loader believes is live */
	__u64 new_mask;      /* in: word to install */
	__u64 observed_mask; /* out: word found */
};

#endif /* BPFLP_ABI_H */
