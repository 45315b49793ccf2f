// SPDX-License-Identifier: GPL-2.0
/*
 * The commit program pinned beside the shared maps, so that a transaction
 * opens six pins instead of loading it. Loading meant opening its object
 * (ELF, BTF, the kernel version), libbpf's feature probes and five map
 * reuses: about 100 ms of every apply, replace and disable under TCG
 * (docs/benchmarks.md, run L), for 21 instructions that never change.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "commit.h"
#include "log.h"
#include "store.h"

/* The name bpf/commit.bpf.c gives it: a change to struct bpflp_commit_args renames it. */
#define COMMIT_PROG_NAME "bpflp_commit"

static int prog_uses_only_map(int prog_fd, int map_fd)
{
	struct bpf_map_info map = {};
	struct bpf_prog_info prog = {};
	__u32 map_ids[2], len = sizeof(prog), map_len = sizeof(map);

	prog.nr_map_ids = 2;
	prog.map_ids = (__u64)(unsigned long)map_ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &prog, &len) ||
	    bpf_obj_get_info_by_fd(map_fd, &map, &map_len))
		return -errno;
	if (prog.type != BPF_PROG_TYPE_SYSCALL || strcmp(prog.name, COMMIT_PROG_NAME) ||
	    prog.nr_map_ids != 1 || map_ids[0] != map.id)
		return -ESTALE;
	return 0;
}

/*
 * Use the pinned commit program and map pins. Not when one is missing
 * (the skeleton then creates what is missing), nor when the program is
 * not this bpflp's commit program on the pinned bpflp_state (a store
 * rebuilt by hand, or another bpflp's): it is then loaded and pinned anew.
 * -EPROTO, said, for another ABI's bpflp_state: no reason to load either.
 */
int commit_ctx_reuse_pinned(struct commit_ctx *cc)
{
	int *fds[STORE_NR_SHARED_MAPS] = { &cc->state_fd, &cc->cover_fd, &cc->order_fd,
					   &cc->armed_fd, &cc->snap_fd };
	char pin[PATH_MAX];
	int err = 0;

	cc->pinned = true;
	cc->commit_fd = bpf_obj_get(STORE_COMMIT_PIN);
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS; i++)
		*fds[i] = -1;
	if (cc->commit_fd < 0)
		err = -errno;
	for (size_t i = 0; i < STORE_NR_SHARED_MAPS && !err; i++) {
		store_shared_map_pin(pin, i);
		*fds[i] = bpf_obj_get(pin);
		err = *fds[i] < 0 ? -errno : 0;
	}
	/* The shape first: another ABI's bpflp_state is refused in words, not reused. */
	err = err ?: store_check_state_fd(cc->state_fd);
	if (!err && prog_uses_only_map(cc->commit_fd, cc->state_fd))
		err = -ESTALE;
	if (err)
		commit_ctx_close(cc);
	return err;
}

void commit_pin_program(int prog_fd)
{
	/* A stale pin (see commit_ctx_reuse_pinned) gives way; no pin only costs the next load. */
	unlink(STORE_COMMIT_PIN);
	if (bpf_obj_pin(prog_fd, STORE_COMMIT_PIN))
		pr_debug("cannot pin the commit program at %s: %s\n", STORE_COMMIT_PIN,
			 strerror(errno));
}
