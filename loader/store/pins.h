/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pins of one function of a patch, under the patch's directory as
 * FUNC__PROG and FUNC__LINK (store_pin_path), and the order every part
 * follows with them: stage.c attaches a function's pieces by rank and
 * drift.c attaches missing ones again in the same order; teardown.c
 * removes a directory's pins pass by pass.
 *
 * Ranks: bpflp's drop first, then the patch's fentry programs, bpflp's
 * take, then the patch's other programs. On every trampoline state on the
 * way, a take or a gate that may push a snapshot entry has its drop, and
 * the take is the newest fentry program, so from the take on the first
 * program of a call is this patch's (bpf/snapshot.bpf.c).
 * Detach passes: the reverse: takes, then the patch's links (and its
 * companion attachments), then drops, then programs and maps.
 */
#ifndef BPFLP_PINS_H
#define BPFLP_PINS_H

#include <stdbool.h>
#include <bpf/bpf.h>
#include "bpflp/abi.h"

enum pin_rank {
	PIN_RANK_DROP,
	PIN_RANK_FENTRY,
	PIN_RANK_TAKE,
	PIN_RANK_OTHERS,
};

struct pin_piece {
	const char *label; /* as messages name it */
	const char *prog;  /* FUNC__prog: its program */
	const char *link;  /* FUNC__link: its link; NULL when the companion module runs it */
	enum bpf_attach_type type;
	enum pin_rank rank;
	int detach_pass;
	bool snapshot; /* bpflp's take or drop, not the patch's */
};

extern const struct pin_piece pin_take;
extern const struct pin_piece pin_drop;

/* The piece of a patch's program of kind: on a trampoline, or run by the companion module. */
const struct pin_piece *pin_of_kind(enum bpflp_kind kind, bool companion);

#define PIN_DETACH_PASSES    4
#define PIN_PATCH_LINKS_PASS 1
/* The pass in which teardown_patch_dir() removes the pin named name, a file of a patch directory. */
int pin_detach_pass(const char *name);
/*
 * Is name a FUNC__replace_prog, which the companion module may run?
 * Teardown detaches it from the module in PIN_PATCH_LINKS_PASS, with the
 * links, and removes the pin with the other programs.
 */
bool pin_companion_attachable(const char *name);

#endif /* BPFLP_PINS_H */
