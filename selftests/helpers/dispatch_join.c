// SPDX-License-Identifier: GPL-2.0
/*
 * dispatch_join PATH: bpflp's fmod_ret stub (loader/kernel/dispatch_stub.c,
 * bpf/dispatch.bpf.c) on security_file_open, its sides holding an EPERM
 * and an EACCES implementation (progs/dispatch_join.bpf.c), and what
 * open(PATH) gives for each state of the commit word and of the call's
 * snapshot entry (a pusher program gives this process's opens of PATH an
 * entry with a word of the test's choosing, as a take would). Each case
 * expects the side the stub must pick; the live word and the entry always
 * name different sides, so a stub that ignored either would fail one:
 *   live0:      side 0 live, no entry                          (errno=1)
 *   live1:      side 1 live, no entry                          (errno=13)
 *   flux_live:  in flux, no entry: side 1 live                 (errno=13)
 *   joined:     in flux, the call's entry says side 1, 0 live  (errno=13)
 *   settled:    not in flux: the entry (side 0) is not read,
 *               side 1 live                                    (errno=13)
 *   stale:      in flux, an entry of an earlier transaction
 *               (another epoch, side 0): side 1 live           (errno=13)
 *   other_func: in flux, an entry for another function (side 1):
 *               side 0 live                                    (errno=1)
 *   empty:      side 1 live and emptied                        (ok)
 *   pushes=N:   entries the pusher gave (one per case with an entry)
 *   stub_insns=N: the stub's instructions as the kernel runs them
 *
 * dispatch_join --follow PATH STORE DIR: the same stub, reading bpflp's
 * own commit word and snapshot entries (STORE/bpflp_state, bpflp_snap),
 * with side 0 denying any process's opens of PATH with EPERM and side 1
 * with EACCES; its link and array are pinned in DIR (made), so it stays
 * after this exits and follows every commit bpflp makes. Removing the
 * pins detaches it.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpflp/abi.h"
#include "dispatch_join.skel.h"
#include "attach_target.h"
#include "dispatch_stub.h"
#include "kernel_func.h"
#include "platform.h"

#define SIDE(s) ((__u64)(s) << BPFLP_SIDE_BIT)

static int set_side(int array_fd, __u32 side, struct bpf_program *prog)
{
	int fd = prog ? bpf_program__fd(prog) : -1;

	if (!prog)
		return bpf_map_delete_elem(array_fd, &side) ? -errno : 0;
	return bpf_map_update_elem(array_fd, &side, &fd, BPF_ANY) ? -errno : 0;
}

/* The entry a case gives the call, if any. */
struct push {
	bool on;
	__u64 word, epoch, key_xor; /* key_xor: another function's key */
};

/* One case: the live word and flux (epoch 7), and the entry pushed. */
static void try_case(struct dispatch_join *skel, const char *path, const char *name, __u64 word,
		     __u64 flux, struct push push)
{
	struct bpflp_state *state = &skel->data_bpflp_state->bpflp_live;

	state->active_mask = word;
	state->flux = flux;
	state->epoch = 7;
	skel->bss->push_word = push.word;
	skel->bss->push_epoch = push.epoch;
	skel->bss->push_key = skel->rodata->target_key ^ push.key_xor;
	skel->bss->push = push.on;
	platform_report_open(name, platform_try_open(path));
	skel->bss->push = 0;
}

static void print_insns(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (!bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		printf("stub_insns=%u\n", info.xlated_prog_len / 8);
}

/* Pin the stub's link and array in dir, and the array's sides: it outlives this process. */
static int follow(struct dispatch_join *skel, const char *store, const char *dir,
		  const struct dispatch_target *t)
{
	struct dispatch_stub stub = { .prog_fd = -1, .array_fd = -1 };
	char state[PATH_MAX], snap[PATH_MAX], array_pin[PATH_MAX], link_pin[PATH_MAX];
	int state_fd, snap_fd, link = -1, err;
	const char *what = "open bpflp's maps";

	snprintf(state, sizeof(state), "%s/bpflp_state", store);
	snprintf(snap, sizeof(snap), "%s/bpflp_snap", store);
	snprintf(array_pin, sizeof(array_pin), "%s/array", dir);
	snprintf(link_pin, sizeof(link_pin), "%s/link", dir);
	state_fd = bpf_obj_get(state);
	snap_fd = bpf_obj_get(snap);
	err = state_fd < 0 || snap_fd < 0 ? -errno : 0;
	if (!err) {
		what = "load the stub";
		err = dispatch_stub_load(t, state_fd, snap_fd, &stub);
	}
	if (!err) {
		what = "fill its sides";
		err = set_side(stub.array_fd, 0, skel->progs.deny_eperm) ?:
			      set_side(stub.array_fd, 1, skel->progs.deny_eacces);
	}
	if (!err) {
		what = "pin its array";
		err = mkdir(dir, 0700) || bpf_obj_pin(stub.array_fd, array_pin) ? -errno : 0;
	}
	if (!err) {
		what = "attach it";
		link = bpf_link_create(stub.prog_fd, 0, BPF_MODIFY_RETURN, NULL);
		err = link < 0 || bpf_obj_pin(link, link_pin) ? -errno : 0;
	}
	if (err)
		fprintf(stderr, "error: cannot %s, for a stub on bpflp's word in %s: %s\n", what,
			dir, strerror(-err));
	else
		printf("following: side 0 EPERM, side 1 EACCES\n");
	if (link >= 0)
		close(link);
	if (state_fd >= 0)
		close(state_fd);
	if (snap_fd >= 0)
		close(snap_fd);
	dispatch_stub_close(&stub);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct dispatch_stub stub = { .prog_fd = -1, .array_fd = -1 };
	struct dispatch_join *skel = NULL;
	struct kernel_func kf;
	struct dispatch_target t = {};
	struct bpf_link *pusher = NULL, *popper = NULL;
	int link = -1, err, ret = 1;
	bool following = argc == 5 && !strcmp(argv[1], "--follow");
	const char *path = following ? argv[2] : argv[1];
	struct stat st;

	if (argc != 2 && !following) {
		fprintf(stderr, "usage: %s PATH | --follow PATH STORE DIR\n", argv[0]);
		return 2;
	}
	platform_setup_libbpf(false);
	attach_target_handlers(); /* before any object opens (dispatch_stub.h) */
	if (stat(path, &st) || kernel_func_find("security_file_open", &kf)) {
		fprintf(stderr, "error: %s or security_file_open: %s\n", path, strerror(errno));
		return 1;
	}
	skel = dispatch_join__open();
	if (!skel) {
		fprintf(stderr, "error: cannot open dispatch_join: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->target_tgid = following ? 0 : getpid();
	skel->rodata->target_ino = st.st_ino;
	skel->rodata->target_dev = major(st.st_dev) << 20 | minor(st.st_dev); /* MKDEV */
	skel->rodata->target_key = kf.key;
	err = dispatch_join__load(skel);
	if (err) {
		ret = platform_load_failed("dispatch_join", err);
		goto out;
	}
	t.func_key = kf.key;
	t.btf_id = kf.btf_id;
	t.btf_obj_fd = kernel_func_btf_obj_fd(kf.key);
	if (following) {
		ret = t.btf_obj_fd < 0 ? platform_load_failed("the dispatch stub", t.btf_obj_fd) :
					 follow(skel, argv[3], argv[4], &t);
		goto out;
	}
	err = t.btf_obj_fd < 0 ? t.btf_obj_fd :
				 dispatch_stub_load(&t, bpf_map__fd(skel->maps.data_bpflp_state),
						    bpf_map__fd(skel->maps.bpflp_snap), &stub);
	if (err) {
		ret = platform_load_failed("the dispatch stub", err);
		goto out;
	}
	print_insns(stub.prog_fd);
	err = set_side(stub.array_fd, 0, skel->progs.deny_eperm) ?:
		      set_side(stub.array_fd, 1, skel->progs.deny_eacces);
	link = err ? -1 : bpf_link_create(stub.prog_fd, 0, BPF_MODIFY_RETURN, NULL);
	/*
	 * By their load's target: bpflp's handlers, which gave it, attach
	 * nothing, and a skeleton's attach would skip them without a word.
	 * The implementations run only from the stub's array.
	 */
	if (link >= 0) {
		pusher = bpf_program__attach_trace(skel->progs.pusher);
		popper = pusher ? bpf_program__attach_trace(skel->progs.popper) : NULL;
	}
	if (err || link < 0 || !popper) {
		fprintf(stderr, "error: cannot set up the stub: %s\n", strerror(errno));
		goto out;
	}
	try_case(skel, argv[1], "live0", SIDE(0), 0, (struct push){});
	try_case(skel, argv[1], "live1", SIDE(1), 0, (struct push){});
	try_case(skel, argv[1], "flux_live", SIDE(1), 1, (struct push){});
	try_case(skel, argv[1], "joined", SIDE(0), 1, (struct push){ true, SIDE(1), 7, 0 });
	try_case(skel, argv[1], "settled", SIDE(1), 0, (struct push){ true, SIDE(0), 7, 0 });
	try_case(skel, argv[1], "stale", SIDE(1), 1, (struct push){ true, SIDE(0), 6, 0 });
	try_case(skel, argv[1], "other_func", SIDE(0), 1, (struct push){ true, SIDE(1), 7, 1 });
	if (set_side(stub.array_fd, 1, NULL)) {
		fprintf(stderr, "error: cannot empty side 1: %s\n", strerror(errno));
		goto out;
	}
	try_case(skel, argv[1], "empty", SIDE(1), 0, (struct push){});
	printf("pushes=%llu\n", (unsigned long long)skel->bss->pushes);
	ret = 0;
out:
	bpf_link__destroy(popper);
	bpf_link__destroy(pusher);
	if (link >= 0)
		close(link);
	dispatch_stub_close(&stub);
	dispatch_join__destroy(skel);
	return ret;
}
