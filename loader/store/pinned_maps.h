/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps the programs pinned in a patch directory use: how a map whose
 * own pin was deleted by hand is found again (it lives while a program
 * holds it).
 */
#ifndef BPFLP_PINNED_MAPS_H
#define BPFLP_PINNED_MAPS_H

#include <bpf/bpf.h>

/*
 * Call visit(fd, info, ctx) for each map used by each program pinned in dir
 * as *_prog (a map used by several is visited for each); fd is closed
 * after. Stops at the first non-zero return, and returns it; 0 when every
 * map was visited, a negative errno when dir cannot be read.
 */
int for_each_pinned_prog_map(const char *dir,
			     int (*visit)(int fd, const struct bpf_map_info *info, void *ctx),
			     void *ctx);

#endif /* BPFLP_PINNED_MAPS_H */
