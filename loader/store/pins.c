// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "pins.h"
#include "util.h"

const struct pin_piece pin_drop = {
	.label = "bpflp's drop",
	.prog = "drop_prog",
	.link = "drop_link",
	.type = BPF_TRACE_FEXIT,
	.rank = PIN_RANK_DROP,
	.detach_pass = 2,
	.snapshot = true,
};

const struct pin_piece pin_take = {
	.label = "bpflp's take",
	.prog = "take_prog",
	.link = "take_link",
	.type = BPF_TRACE_FENTRY,
	.rank = PIN_RANK_TAKE,
	.detach_pass = 0,
	.snapshot = true,
};

static const struct pin_piece patch_pieces[] = {
	[BPFLP_KIND_FENTRY] = { "fentry", "fentry_prog", "fentry_link", BPF_TRACE_FENTRY,
				PIN_RANK_FENTRY, PIN_PATCH_LINKS_PASS, false },
	[BPFLP_KIND_FEXIT] = { "fexit", "fexit_prog", "fexit_link", BPF_TRACE_FEXIT,
			       PIN_RANK_OTHERS, PIN_PATCH_LINKS_PASS, false },
	[BPFLP_KIND_FMOD_RET] = { "fmod_ret", "fmod_ret_prog", "fmod_ret_link", BPF_MODIFY_RETURN,
				  PIN_RANK_OTHERS, PIN_PATCH_LINKS_PASS, false },
	[BPFLP_KIND_REPLACE] = { "replace", "replace_prog", "replace_link", BPF_MODIFY_RETURN,
				 PIN_RANK_OTHERS, PIN_PATCH_LINKS_PASS, false },
};

/* BPFLP_REPLACE on the companion route: the module runs the program; no link. */
static const struct pin_piece companion_piece = {
	.label = "replacement",
	.prog = "replace_prog",
	.rank = PIN_RANK_OTHERS,
	.detach_pass = PIN_PATCH_LINKS_PASS,
};

const struct pin_piece *pin_of_kind(enum bpflp_kind kind, bool companion)
{
	if (companion)
		return &companion_piece;
	if ((unsigned int)kind >= ARRAY_SIZE(patch_pieces))
		return NULL;
	return &patch_pieces[kind];
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), slen = strlen(suffix);

	return len >= slen && !strcmp(s + len - slen, suffix);
}

/* Is name FUNC__what (what: a piece's prog or link)? */
static bool is_pin_of(const char *name, const char *what)
{
	size_t len = strlen(name), wlen = strlen(what);

	return len >= wlen + 2 && !strcmp(name + len - wlen, what) &&
	       !strncmp(name + len - wlen - 2, "__", 2);
}

int pin_detach_pass(const char *name)
{
	if (is_pin_of(name, pin_take.link))
		return pin_take.detach_pass;
	if (is_pin_of(name, pin_drop.link))
		return pin_drop.detach_pass;
	for (size_t k = 0; k < ARRAY_SIZE(patch_pieces); k++)
		if (is_pin_of(name, patch_pieces[k].link))
			return patch_pieces[k].detach_pass;
	/* A link bpflp does not name (made by hand): with the patch's own. */
	if (ends_with(name, "_link"))
		return PIN_PATCH_LINKS_PASS;
	return PIN_DETACH_PASSES - 1;
}

bool pin_companion_attachable(const char *name)
{
	return is_pin_of(name, companion_piece.prog);
}
