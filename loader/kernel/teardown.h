/* SPDX-License-Identifier: GPL-2.0 */
/* Detach and unpin everything of a patch directory in the store (store.h). */
#ifndef BPFLP_TEARDOWN_H
#define BPFLP_TEARDOWN_H

#include <stdbool.h>

/*
 * Remove every pin in dir but meta, detaching its links and its companion
 * attachments in the order that never leaves a take without its drop;
 * keep_meta=false removes all, record and directory included.
 */
int teardown_patch_dir(const char *dir, bool keep_meta);

#endif /* BPFLP_TEARDOWN_H */
