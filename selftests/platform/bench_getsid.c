// SPDX-License-Identifier: GPL-2.0
/*
 * bench_getsid MODE CALLS: time CALLS getsid(0) syscalls, each passing
 * security_task_getsid(). MODE "plain" runs as the system is (with
 * whatever bpflp patches are applied); "raw-*" first attaches one ungated
 * program of selftests/progs/bench_raw.bpf.c (raw-fmod_ret, raw-fentry,
 * raw-word, raw-word-count-array, raw-word-count-hash): the floor and the
 * pieces of bpflp's gate one by one. Prints "MODE ns_per_call".
 *
 * With BENCH_PROG_STATS=1 it also turns on the kernel's BPF run-time
 * statistics (BPF_ENABLE_STATS) for the timed calls and prints, for every
 * tracing program that ran, "prog NAME runs N ns_per_run X": time spent
 * in the programs themselves, without the syscall around them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
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

/* Every tracing program with run statistics: name, runs, ns per run. */
static void print_prog_stats(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_PROG_TYPE_TRACING &&
		    info.run_cnt)
			printf("prog %s runs %llu ns_per_run %.1f\n", info.name,
			       (unsigned long long)info.run_cnt,
			       (double)info.run_time_ns / info.run_cnt);
		close(fd);
	}
}

static struct bpf_program *raw_prog(struct bench_raw *skel, const char *mode)
{
	static const struct { const char *mode; size_t off; } progs[] = {
		{ "raw-fmod_ret", offsetof(struct bench_raw, progs.raw_fmod_ret) },
		{ "raw-fentry", offsetof(struct bench_raw, progs.raw_fentry) },
		{ "raw-word", offsetof(struct bench_raw, progs.raw_word) },
		{ "raw-word-count-array", offsetof(struct bench_raw, progs.raw_word_count_array) },
		{ "raw-word-count-hash", offsetof(struct bench_raw, progs.raw_word_count_hash) },
	};
	struct bpf_program *found = NULL;

	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_program *p = *(struct bpf_program **)((char *)skel + progs[i].off);
		bool wanted = !strcmp(mode, progs[i].mode);

		/* Load only the program measured. */
		bpf_program__set_autoload(p, wanted);
		if (wanted)
			found = p;
	}
	return found;
}

int main(int argc, char **argv)
{
	bool prog_stats = getenv("BENCH_PROG_STATS") && !strcmp(getenv("BENCH_PROG_STATS"), "1");
	struct bench_raw *skel = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	int stats_fd = -1, err = 1;
	__u32 zero = 0;
	long calls;

	if (argc != 3 || (calls = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_getsid plain|raw-fmod_ret|raw-fentry|raw-word|raw-word-count-array|raw-word-count-hash CALLS\n");
		return 2;
	}
	if (strcmp(argv[1], "plain")) {
		skel = bench_raw__open();
		if (!skel)
			goto cleanup;
		prog = raw_prog(skel, argv[1]);
		if (!prog) {
			fprintf(stderr, "bench_getsid: unknown mode %s\n", argv[1]);
			goto cleanup;
		}
		if (bench_raw__load(skel))
			goto cleanup;
		/* The gate's word: this "patch" active, no transaction. */
		struct { __u64 active_mask, flux; } word = { 1, 0 };
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.state), &zero, &word, BPF_ANY))
			goto cleanup;
		link = bpf_program__attach_trace(prog);
		if (!link) {
			fprintf(stderr, "bench_getsid: attach: %s\n", strerror(errno));
			goto cleanup;
		}
	}
	if (prog_stats) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0)
			fprintf(stderr, "bench_getsid: BPF_ENABLE_STATS: %s\n", strerror(errno));
	}
	printf("%s %.1f\n", argv[1], ns_per_call(calls));
	if (stats_fd >= 0)
		print_prog_stats();
	err = 0;
cleanup:
	if (stats_fd >= 0)
		close(stats_fd);
	bpf_link__destroy(link);
	bench_raw__destroy(skel);
	return err;
}
