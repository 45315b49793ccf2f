/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A dispatch stub in bpffs: STORE_DISPATCH/KEY/fmod_ret/ holds its
 * program array (array), its program (prog) and its link (link), KEY
 * being the function's key in hex (kernel.h). The array is pinned
 * before the link is made, so that no attached stub ever has an array
 * whose entries a lost descriptor could empty: a program array drops
 * its entries when its last pin or descriptor goes, and the stub's own
 * reference does not count. Which program each side holds is
 * dispatch_set.h's.
 */
#ifndef BPFLP_DISPATCH_PINS_H
#define BPFLP_DISPATCH_PINS_H

#include <limits.h>
#include <linux/types.h>

/* Descriptors of what is pinned for one stub; -1 where a pin is missing. */
struct pinned_stub {
	int array_fd;
	int prog_fd;
	int link_fd;
};

/* STORE_DISPATCH/KEY/fmod_ret: 0, or -ENAMETOOLONG. */
int dispatch_pin_dir(char *buf, size_t size, __u64 key);

/* Open the stub of key: 0 (with any missing pin at -1), or -ENOENT when it has no directory. */
int dispatch_pins_open(__u64 key, struct pinned_stub *ps);
/* Are all three pins there? */
static inline int dispatch_pins_whole(const struct pinned_stub *ps)
{
	return ps->array_fd >= 0 && ps->prog_fd >= 0 && ps->link_fd >= 0;
}
void dispatch_pins_close(struct pinned_stub *ps);

/*
 * Load the stub of the function key against the shared bpflp_state
 * (state_fd) and bpflp_snap (snap_fd), pin its array and program, attach
 * it, pin its link; both sides empty. The stub's directory must not hold
 * any of them. On failure nothing of it is left pinned or attached.
 */
int dispatch_pins_create(__u64 key, int state_fd, int snap_fd, struct pinned_stub *ps);

/*
 * Detach the stub of key and remove its pins: link first, so that no
 * attached stub is left with its array unpinned; then its directories.
 */
int dispatch_pins_remove(__u64 key);

/* Keys with a stub directory: how many (up to max filled), or a negative errno. */
int dispatch_pins_list(__u64 *keys, int max);

/* The id of the program in entry side (0 or 1) of a stub's array, 0 when empty. */
__u32 dispatch_entry_id(int array_fd, __u32 side);
/* Put prog_fd in entry side, or empty it when prog_fd < 0 (already empty is fine). */
int dispatch_entry_set(int array_fd, __u32 side, int prog_fd);

#endif /* BPFLP_DISPATCH_PINS_H */
