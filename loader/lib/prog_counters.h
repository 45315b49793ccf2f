/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a loaded patch program counts its calls, read from the program
 * itself: the bpflp_stats map among the maps it uses, and the index its
 * loader gave it (its bpflp_idx_NAME knob, patch.bpf.h). A program kept
 * across replaces (apply --dispatch) counts where the patch that loaded
 * it made it count, which no later record says.
 */
#ifndef BPFLP_PROG_COUNTERS_H
#define BPFLP_PROG_COUNTERS_H

#include <linux/types.h>

/* 0 with *stats_fd (the caller's to close) and *idx, or a negative errno. */
int prog_counters(int prog_fd, int *stats_fd, __u32 *idx);

#endif /* BPFLP_PROG_COUNTERS_H */
