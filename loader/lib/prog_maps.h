/* SPDX-License-Identifier: GPL-2.0 */
/* Which maps a loaded BPF program uses, as the kernel reports them. */
#ifndef BPFLP_PROG_MAPS_H
#define BPFLP_PROG_MAPS_H

#include <stdbool.h>
#include <linux/types.h>

/* More than any bpflp program uses (a patch's: its own maps, the shared ones, rodata). */
#define PROG_MAX_MAPS 64

/* The ids of the maps prog_fd uses, at most PROG_MAX_MAPS: how many (0 if unreadable). */
__u32 prog_map_ids(int prog_fd, __u32 ids[PROG_MAX_MAPS]);

/* Does prog_fd use the map map_id? */
bool prog_uses_map(int prog_fd, __u32 map_id);

#endif /* BPFLP_PROG_MAPS_H */
