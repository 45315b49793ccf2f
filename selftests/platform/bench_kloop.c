// SPDX-License-Identifier: GPL-2.0
/*
 * bench_kloop MODE TARGET CALLS: time CALLS calls of one kernel function in
 * the kernel loop of the scale benchmark's target module (/proc/bpflp_bench,
 * selftests/bench/gen.py): far less noise than a syscall per call. TARGET is
 * "lsm" (vmlinux's security_ismaclabel) or "fn0" (the module's
 * security_bpflp_bench_0). MODE "plain" runs as the system is (patched by
 * whatever the caller applied); "raw-fmod_ret" first attaches an ungated
 * fmod_ret program to TARGET (selftests/progs/bench_kloop.bpf.c).
 * Prints "ns_per_call".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "bench_kloop.skel.h"

#define CONTROL "/proc/bpflp_bench"

static int kernel_loop(const char *target, long calls, double *ns_per_call)
{
	unsigned long long ns, done;
	FILE *f;
	int n;

	f = fopen(CONTROL, "r+");
	if (!f)
		return -errno;
	n = !strcmp(target, "lsm") ? fprintf(f, "lsm %ld\n", calls) : fprintf(f, "fn 0 %ld\n", calls);
	if (n < 0 || fflush(f) || fseek(f, 0, SEEK_SET) ||
	    fscanf(f, "%llu %llu", &ns, &done) != 2 || done != (unsigned long long)calls) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	*ns_per_call = (double)ns / calls;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_kloop *skel = NULL;
	struct bpf_program *prog = NULL;
	struct bpf_link *link = NULL;
	double ns;
	long calls;
	int err = 1;

	if (argc != 4 || (strcmp(argv[2], "lsm") && strcmp(argv[2], "fn0")) ||
	    (calls = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: bench_kloop plain|raw-fmod_ret lsm|fn0 CALLS\n");
		return 2;
	}
	if (!strcmp(argv[1], "raw-fmod_ret")) {
		skel = bench_kloop__open();
		if (!skel)
			goto cleanup;
		prog = !strcmp(argv[2], "lsm") ? skel->progs.raw_fmod_ret_lsm :
						 skel->progs.raw_fmod_ret_mod;
		/* Load only the program measured: the other's target may be absent. */
		bpf_program__set_autoload(skel->progs.raw_fmod_ret_lsm,
					  prog == skel->progs.raw_fmod_ret_lsm);
		bpf_program__set_autoload(skel->progs.raw_fmod_ret_mod,
					  prog == skel->progs.raw_fmod_ret_mod);
		if (bench_kloop__load(skel))
			goto cleanup;
		link = bpf_program__attach_trace(prog);
		if (!link) {
			fprintf(stderr, "bench_kloop: attach: %s\n", strerror(errno));
			goto cleanup;
		}
	} else if (strcmp(argv[1], "plain")) {
		fprintf(stderr, "bench_kloop: unknown mode %s\n", argv[1]);
		return 2;
	}
	kernel_loop(argv[2], 1000, &ns); /* warm */
	err = kernel_loop(argv[2], calls, &ns);
	if (err) {
		fprintf(stderr, "bench_kloop: %s: %s (is bpflp_bench.ko loaded?)\n", CONTROL,
			strerror(-err));
		err = 1;
		goto cleanup;
	}
	printf("%.2f\n", ns);
cleanup:
	bpf_link__destroy(link);
	bench_kloop__destroy(skel);
	return err;
}
