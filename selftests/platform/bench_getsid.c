// SPDX-License-Identifier: GPL-2.0
/*
 * bench_getsid MODE CALLS: time CALLS getsid(0) syscalls, each passing
 * security_task_getsid(). MODE "plain" runs as the system is; "raw-fmod_ret"
 * and "raw-fentry" first attach an ungated program (selftests/progs/
 * bench_raw.bpf.c) for the floor a gate adds to. Prints "MODE ns_per_call".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "bench_raw.skel.h"

static double ns_per_call(long calls)
{
	struct timespec a, b;

	getsid(0);	/* warm */
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < calls; i++)
		getsid(0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / calls;
}

int main(int argc, char **argv)
{
	struct bench_raw *skel = NULL;
	struct bpf_program *prog = NULL;
	struct bpf_link *link = NULL;
	long calls;
	int err = 1;

	if (argc != 3 || (calls = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_getsid plain|raw-fmod_ret|raw-fentry CALLS\n");
		return 2;
	}
	if (strcmp(argv[1], "plain")) {
		skel = bench_raw__open();
		if (!skel)
			goto cleanup;
		prog = !strcmp(argv[1], "raw-fmod_ret") ? skel->progs.raw_fmod_ret :
		       !strcmp(argv[1], "raw-fentry") ? skel->progs.raw_fentry : NULL;
		if (!prog) {
			fprintf(stderr, "bench_getsid: unknown mode %s\n", argv[1]);
			goto cleanup;
		}
		/* Load only the program measured. */
		bpf_program__set_autoload(skel->progs.raw_fmod_ret, prog == skel->progs.raw_fmod_ret);
		bpf_program__set_autoload(skel->progs.raw_fentry, prog == skel->progs.raw_fentry);
		if (bench_raw__load(skel))
			goto cleanup;
		link = bpf_program__attach_trace(prog);
		if (!link) {
			fprintf(stderr, "bench_getsid: attach: %s\n", strerror(errno));
			goto cleanup;
		}
	}
	printf("%s %.1f\n", argv[1], ns_per_call(calls));
	err = 0;
cleanup:
	bpf_link__destroy(link);
	bench_raw__destroy(skel);
	return err;
}
