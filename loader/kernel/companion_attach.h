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
#include "../../kmod/companion_ident.h"

/*
 * Ask the module's device who it is (companion_ident.h): 0 and ident when
 * bpflp's module answers; -ENOENT when there is no device, -EPROTO when
 * what answers is not bpflp's module, or another -errno (-EACCES: only
 * root may ask).
 */
int companion_identify(struct bpflp_companion_ident *ident);

/* The id of the program pinned at pin. */
int pinned_prog_id(const char *pin, __u32 *id);

/* Attach dir/FUNC__replace_prog with its drop dir/FUNC__drop_prog (module loaded). */
int companion_attach_pinned(const char *dir, const char *func);

/* Detach the program pinned at prog_pin if the module runs it; 0 when it does not. */
int companion_detach_pin(const char *prog_pin);

/* Does the module run the program pinned at prog_pin? 1, 0, or a negative errno. */
int companion_pin_attached(const char *prog_pin);

/* Attachments the module holds now (0 when it is not loaded). */
int companion_nr_attached(void);

/* One line of the module's listing (include/bpflp/companion.h). */
struct companion_entry {
	__u32 prog_id;
	__u32 drop_id;
	char func[64];
	__u64 calls;
	__u64 overrides;
};

/* Up to max attachments into entries; returns how many (0 without the module) or -errno. */
int companion_list(struct companion_entry *entries, int max);

/* Detach by program id; 0 if it was not attached. */
int companion_detach_id(__u32 prog_id);

#endif /* BPFLP_COMPANION_ATTACH_H */
