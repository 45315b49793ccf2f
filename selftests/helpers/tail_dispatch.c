// SPDX-License-Identifier: GPL-2.0
/*
 * tail_dispatch PATH [ROUNDS]: the design probe of progs/tail_dispatch.bpf.c.
 * Attaches the stub alone to security_file_open, then reports what
 * open(PATH) gives as the program array and the word change:
 *   empty:  no implementation in the array        (want ok)
 *   index0: word 0, the EPERM one at 0            (want errno=1)
 *   index1: word 1, the EACCES one at 1           (want errno=13)
 *   index2: word 2, an empty entry                (want ok)
 *   other_hook: refused errno=N | accepted: a program of another function
 *               with another prototype
 *   stub_runs=N: the stub's runs for the opens of PATH above
 * and, over ROUNDS rounds (default 50), the cost of one switch each way:
 *   array_update_us=X: one write of an array entry
 *   link_swap_us=Y:    attaching an fmod_ret link and destroying it again,
 *                      the two trampoline rebuilds a switch by links costs
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "tail_dispatch.skel.h"
#include "platform.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int set_entry(struct tail_dispatch *skel, __u32 key, struct bpf_program *prog)
{
	int fd = bpf_program__fd(prog);

	return bpf_map_update_elem(bpf_map__fd(skel->maps.impls), &key, &fd, BPF_ANY) ? -errno : 0;
}

static int time_switches(struct tail_dispatch *skel, int rounds)
{
	struct bpf_link *link;
	double t0, t1;

	t0 = now_us();
	for (int r = 0; r < rounds; r++)
		if (set_entry(skel, 0, r & 1 ? skel->progs.deny_eperm : skel->progs.deny_eacces))
			return -1;
	t1 = now_us();
	printf("array_update_us=%.1f\n", (t1 - t0) / rounds);
	t0 = now_us();
	for (int r = 0; r < rounds; r++) {
		link = bpf_program__attach(skel->progs.deny_eacces);
		if (!link)
			return -1;
		bpf_link__destroy(link);
	}
	t1 = now_us();
	printf("link_swap_us=%.1f\n", (t1 - t0) / rounds);
	return 0;
}

int main(int argc, char **argv)
{
	struct tail_dispatch *skel = NULL;
	struct bpf_link *stub = NULL;
	int rounds = argc > 2 ? atoi(argv[2]) : 50, err, ret = 1;
	struct stat st;

	if (argc < 2 || rounds <= 0) {
		fprintf(stderr, "usage: %s PATH [ROUNDS]\n", argv[0]);
		return 2;
	}
	platform_setup_libbpf(false);
	if (stat(argv[1], &st)) {
		fprintf(stderr, "error: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	skel = tail_dispatch__open();
	if (!skel) {
		fprintf(stderr, "error: cannot open tail_dispatch: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->target_tgid = getpid();
	skel->rodata->target_ino = st.st_ino;
	skel->rodata->target_dev = major(st.st_dev) << 20 | minor(st.st_dev); /* MKDEV */
	err = tail_dispatch__load(skel);
	if (err) {
		ret = platform_load_failed("tail_dispatch", err);
		goto out;
	}
	stub = bpf_program__attach(skel->progs.stub);
	if (!stub) {
		fprintf(stderr, "error: cannot attach the stub: %s\n", strerror(errno));
		goto out;
	}
	platform_report_open("empty", platform_try_open(argv[1]));
	if (set_entry(skel, 0, skel->progs.deny_eperm) ||
	    set_entry(skel, 1, skel->progs.deny_eacces)) {
		fprintf(stderr, "error: cannot fill the program array: %s\n", strerror(errno));
		goto out;
	}
	for (__u64 index = 0; index < 3; index++) {
		char what[16];

		skel->bss->live_index = index;
		snprintf(what, sizeof(what), "index%llu", (unsigned long long)index);
		platform_report_open(what, platform_try_open(argv[1]));
	}
	err = set_entry(skel, 3, skel->progs.other_hook);
	if (err)
		printf("other_hook: refused errno=%d\n", -err);
	else
		printf("other_hook: accepted\n");
	printf("stub_runs=%llu\n", (unsigned long long)skel->bss->stub_runs);
	skel->bss->live_index = 7; /* the switches below must not deny this test's opens */
	if (time_switches(skel, rounds)) {
		fprintf(stderr, "error: switch timing: %s\n", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	bpf_link__destroy(stub);
	tail_dispatch__destroy(skel);
	return ret;
}
