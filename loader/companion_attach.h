/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attachments of BPFLP_REPLACE programs to the companion module (the
 * companion route), the module's counterpart of a pinned BPF link: the
 * program and its drop stay pinned in the patch's directory, the module
 * holds the attachment, keyed by the program's id.
 */
#ifndef BPFLP_COMPANION_ATTACH_H
#define BPFLP_COMPANION_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

/* Attach dir/FUNC__replace_prog with its drop dir/FUNC__drop_prog (module loaded). */
int companion_attach_pinned(const char *dir, const char *func);

/* Detach the program pinned at prog_pin if the module runs it; 0 when it does not. */
int companion_detach_pin(const char *prog_pin);

/* Does the module run the program pinned at prog_pin? 1, 0, or a negative errno. */
int companion_pin_attached(const char *prog_pin);

/* Attachments the module holds now (0 when it is not loaded). */
int companion_nr_attached(void);

#endif /* BPFLP_COMPANION_ATTACH_H */
