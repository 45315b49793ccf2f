// SPDX-License-Identifier: GPL-2.0
/*
 * bench_kloop MODE TARGET CALLS: time CALLS calls of one kernel function in
 * the kernel loop of the scale benchmark's target module (/proc/bpflp_bench,
 * selftests/tests/bench/gen.py): far less noise than a syscall per call. TARGET is
 * "lsm" (vmlinux's security_ismaclabel) or "fn0" (the module's
 * security_bpflp_bench_0). MODE "plain" runs as the system is (patched by
 * whatever the caller applied); "raw-fmod_ret" first attaches an ungated
 * fmod_ret program to TARGET (selftests/helpers/progs/bench_kloop.bpf.c), and
 * "raw-count-fmod_ret" one that counts its calls (TARGET lsm only).
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
	const char *prog_name = NULL;
	struct bpf_link *link = NULL;
	double ns;
	long calls;
	int err = 1;

	if (argc != 4 || (strcmp(argv[2], "lsm") && strcmp(argv[2], "fn0")) ||
	    (calls = atol(argv[3])) <= 0) {
		fprintf(stderr,
			"usage: bench_kloop plain|raw-fmod_ret|raw-count-fmod_ret lsm|fn0 CALLS\n");
		return 2;
	}
	if (!strcmp(argv[1], "raw-fmod_ret"))
		prog_name = !strcmp(argv[2], "lsm") ? "raw_fmod_ret_lsm" : "raw_fmod_ret_mod";
	else if (!strcmp(argv[1], "raw-count-fmod_ret") && !strcmp(argv[2], "lsm"))
		prog_name = "raw_count_lsm";
	else if (strcmp(argv[1], "plain")) {
		fprintf(stderr, "bench_kloop: unknown mode %s for %s\n", argv[1], argv[2]);
		return 2;
	}
	if (prog_name) {
		skel = bench_kloop__open();
		if (!skel)
			goto cleanup;
		/* Load only the program measured: the others' targets may be absent. */
		bpf_object__for_each_program(prog, skel->obj)
			bpf_program__set_autoload(prog, !strcmp(bpf_program__name(prog), prog_name));
		prog = bpf_object__find_program_by_name(skel->obj, prog_name);
		if (bench_kloop__load(skel))
			goto cleanup;
		link = bpf_program__attach_trace(prog);
		if (!link) {
			fprintf(stderr, "bench_kloop: attach: %s\n", strerror(errno));
			goto cleanup;
		}
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
