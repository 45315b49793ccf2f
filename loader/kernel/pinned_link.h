/* SPDX-License-Identifier: GPL-2.0 */
/* A tracing program pinned in the store, attached with its link pinned beside it. */
#ifndef BPFLP_PINNED_LINK_H
#define BPFLP_PINNED_LINK_H

#include <bpf/bpf.h>

/* Attach the tracing program pinned as dir/func__prog_what; pin its link as dir/func__link_what. */
int attach_pinned(const char *dir, const char *func, const char *prog_what, const char *link_what,
		  enum bpf_attach_type type);

#endif /* BPFLP_PINNED_LINK_H */
