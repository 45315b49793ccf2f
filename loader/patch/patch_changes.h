/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a cumulative replace by a patch object would change, program by
 * program, decided before anything is loaded (docs/design.md, "Unchanged"):
 * each program against the one that runs today on its function and kind,
 * which is the program of the newest active patch covering the function
 * (the newest wins there for every kind), compared by the fingerprints
 * recorded when that patch was applied.
 */
#ifndef BPFLP_PATCH_CHANGES_H
#define BPFLP_PATCH_CHANGES_H

#include "patch_types.h"
#include "store.h"

enum prog_change {
	PROG_NEW,       /* nothing of its kind runs on its function today */
	PROG_CHANGED,   /* something else runs there: why says what differs */
	PROG_UNCHANGED, /* the same program runs there: it could be kept as it is */
};

struct prog_change_info {
	enum prog_change change;
	char running[PATCH_SPEC_MAX]; /* the patch whose program runs there, "" for none */
	/* Unless PROG_NEW: that patch's index in the registry, and the program's in its record. */
	int running_rec;
	__u32 running_idx;
	const char *why;
};

/* A function and kind that runs a program today and that the object has none for. */
struct prog_dropped {
	char func[BPFLP_FUNC_NAME_MAX];
	__u32 kind; /* enum bpflp_kind */
	char running[PATCH_SPEC_MAX];
};

struct patch_changes {
	struct prog_change_info progs[BPFLP_MAX_FUNCS]; /* po->progs[i]'s */
	int nr_new, nr_changed, nr_unchanged;
	struct prog_dropped *dropped; /* malloc'd */
	int nr_dropped;
};

const char *prog_change_name(enum prog_change change);
/* Compare po with the active patches of reg. 0 or a negative errno (reported). */
int patch_changes_compute(const struct patch_object *po, const struct registry *reg,
			  struct patch_changes *out);
void patch_changes_free(struct patch_changes *c);

#endif /* BPFLP_PATCH_CHANGES_H */
