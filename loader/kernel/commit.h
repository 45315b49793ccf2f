/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commit word and the maps every patch shares (abi.h): created and
 * pinned on first use, then the only place they are written from: the
 * commit itself, flux, slots armed and released, and which slots cover
 * which function in which order.
 */
#ifndef BPFLP_COMMIT_H
#define BPFLP_COMMIT_H

#include <limits.h>
#include <stdbool.h>
#include "store.h"

struct bpf_object;
struct commit;

/* The commit program and the shared maps, created and pinned on first use. */
struct commit_ctx {
	struct commit *skel; /* when loaded; then the fds are its */
	bool pinned;         /* the pins were reused; then the fds are the ctx's own */
	int commit_fd;
	int state_fd;
	int cover_fd;
	int order_fd;
	int armed_fd;
	int snap_fd;
};

int commit_ctx_open(struct commit_ctx *cc);
/*
 * commit_pin.c: the commit program's pin. Reused with the shared maps' pins
 * when it is this build's (prog_pin) on the pinned bpflp_state and the maps
 * have this bpflp's shapes; else an error, and the caller loads them:
 * -EPROTO (said) only for another ABI's bpflp_state, which loading cannot
 * mend either.
 */
int commit_ctx_reuse_pinned(struct commit_ctx *cc, const char *prog_pin);
/* Pin prog_fd at prog_pin, in place of any other build's commit program. */
void commit_pin_program(int prog_fd, const char *prog_pin);
/* Unpin every build's commit program (the tree is being removed). */
void commit_pins_remove(void);
/* Where this build pins its commit program (commit.c). */
void commit_pin_path(char path[PATH_MAX]);
/*
 * Pin at state_pin the bpflp_state this build's pinned commit program
 * holds, when that program and map are as this bpflp makes them: 0,
 * -ENOENT when there is no such pin or it is not (nothing is pinned), or
 * -errno.
 */
int commit_pin_repin_state(const char *state_pin);
/* Point an object's shared maps at their pins (libbpf reuses them, or creates and pins them). */
int share_maps(struct bpf_object *obj);
/*
 * Make obj's BPFLP_STATE_SECTION map (abi.h) reusable as bpflp_state and,
 * with a pin, point it there: the gates then read the shared value. Without
 * a pin (a dry run) it stays the object's own. 0 for an object without one.
 */
int share_state_section(struct bpf_object *obj, const char *pin);
void commit_ctx_close(struct commit_ctx *cc);

/*
 * A transaction may flip the commit word between these two (abi.h,
 * bpflp_state.flux): gates then keep a per-call snapshot of it. flux_end
 * waits for the BPF programs running meanwhile first; it only warns, and
 * returns whether flux is down.
 */
int flux_begin(struct commit_ctx *cc);
/* Wait until every BPF program running now has returned. */
void grace_period(void);
int flux_end(struct commit_ctx *cc);

/*
 * Let slot's gates push snapshot entries until the transaction ends: its
 * drops are attached on its entry-only functions (snapshot_links.h).
 */
int snap_slot(struct commit_ctx *cc, __u32 slot);

/*
 * Raise the epoch again once the transaction's takes and drops are on, a
 * grace period before the commit: an entry pushed before them (by a take
 * always on, say) is then from an earlier epoch, and renewed once its word
 * is not the live one; a call whose programs straddle the raise still
 * reads the live word on both sides.
 */
int epoch_next(struct commit_ctx *cc);

/* bpflp stats on|off: set bpflp_state.stats_off; *changed says whether it was otherwise. */
int stats_switch(struct commit_ctx *cc, bool off, bool *changed);

/* Swap the commit word from expected to desired in one atomic step. */
int commit_word(struct commit_ctx *cc, __u64 expected, __u64 desired);

/* Run a callback program (BPF_PROG_TEST_RUN); *retval gets its return value. */
int run_callback_fd(int prog_fd, int *retval);

/*
 * Make the cover map say which of the given records' slots cover each
 * function. Bits of other slots stay only if in keep: a call that began
 * before the last commit may still hold a word with a slot it removed, and
 * must keep deferring to that slot where it covers the function.
 */
int cover_sync(struct commit_ctx *cc, const struct patch_meta *const *metas, int nr, __u64 keep);

/*
 * Record that each of metas (oldest first) is older than the ones after it;
 * fresh_slot (or -1) was just given to a new patch, the last of metas.
 */
int order_sync(struct commit_ctx *cc, const struct patch_meta *const *metas, int nr, int fresh_slot);

/*
 * Arm slot for the patch instance of generation gen. Armed before a patch's
 * programs are attached, disarmed before anything of it is detached (see
 * include/bpflp/snapshot.bpf.h).
 */
int arm_slot(struct commit_ctx *cc, __u32 slot, __u64 gen);

/*
 * What a disarmed slot holds in bpflp_armed: this bit and the time it was
 * released (CLOCK_REALTIME ns). A generation is such a time without the
 * bit, so no gate takes it for its own; slot_pick() reuses the slot
 * released longest ago.
 */
#define SLOT_RELEASED (1ULL << 63)

/* Disarm slot (see arm_slot); one already released keeps its time. */
int disarm_slot(struct commit_ctx *cc, __u32 slot);

#endif /* BPFLP_COMMIT_H */
