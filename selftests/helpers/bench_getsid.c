// SPDX-License-Identifier: GPL-2.0
/*
 * bench_getsid MODE CALLS: time CALLS getsid(pid) syscalls, each passing
 * security_task_getsid(). MODE "plain" runs as the system is (with
 * whatever bpflp patches are applied); "raw-*" first attaches ungated
 * programs of selftests/helpers/progs/bench_raw.bpf.c (raw-fmod_ret, raw-fentry,
 * raw-word, raw-word-count-array, raw-word-count-hash, and
 * raw-word-count-array+2: the same with an empty fentry and fexit program
 * around it, where bpflp's take and drop sit): the floor and the pieces of
 * bpflp's gate one by one; raw-dispatch, the design probe's stub, which
 * tail-calls an empty fmod_ret through a program array; stub-dispatch,
 * bpflp's own stub (bpf/dispatch.bpf.c, loaded by dispatch_stub.c) on a
 * word of its own between transactions, its live side holding the same
 * empty fmod_ret; stub-bpflp, the same stub running a bpflp patch's
 * program loaded as step 4 of the design would, with the dispatch slot
 * (its gate folds away, its call counter stays): the object is
 * BENCH_DISPATCH_OBJ, whose first program must be an fmod_ret on
 * security_task_getsid. Prints "MODE ns_per_call".
 *
 * With BENCH_PROG_STATS=1 it also turns on the kernel's BPF run-time
 * statistics (BPF_ENABLE_STATS) for the timed calls and prints, for every
 * tracing program that ran, "prog NAME runs N ns_per_run X xlated I jited
 * B helpers H": time spent in the program itself, without the syscall
 * around it, and what it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "attach_target.h"
#include "bench_raw.skel.h"
#include "dispatch_stub.h"
#include "kernel_func.h"
#include "patch_object.h"

/*
 * getsid(own pid), not getsid(0): the kernel answers getsid(0) from the
 * caller's task without asking the LSM, so security_task_getsid() would
 * never run (the figures before this was noticed measured no patch at all).
 */
static double ns_per_call(long calls)
{
	pid_t self = getpid();
	struct timespec a, b;

	getsid(self); /* warm */
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < calls; i++)
		getsid(self);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / calls;
}

/* Calls in a program's code after the verifier's rewrites: helpers, and calls to its own functions. */
static void count_calls(int fd, __u32 xlated_len, int *helpers, int *subprogs)
{
	struct bpf_insn *insns = calloc(1, xlated_len);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*helpers = *subprogs = -1;
	if (!insns)
		return;
	info.xlated_prog_len = xlated_len;
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len)) {
		*helpers = *subprogs = 0;
		for (__u32 i = 0; i < xlated_len / sizeof(*insns); i++) {
			if (insns[i].code != (BPF_JMP | BPF_CALL))
				continue;
			if (insns[i].src_reg == BPF_PSEUDO_CALL)
				(*subprogs)++;
			else
				(*helpers)++;
		}
	}
	free(insns);
}

/*
 * Every tracing program that ran: name, runs, ns per run (the kernel's
 * own accounting of the program alone), instructions after the verifier's
 * rewrites, JIT'd bytes, helper calls in its code.
 */
static void print_prog_stats(void)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id), helpers, subprogs;

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_TRACING && info.run_cnt) {
			count_calls(fd, info.xlated_prog_len, &helpers, &subprogs);
			printf("prog %s runs %llu ns_per_run %.1f xlated %u jited %u helpers %d\n",
			       info.name, (unsigned long long)info.run_cnt,
			       (double)info.run_time_ns / info.run_cnt, info.xlated_prog_len / 8,
			       info.jited_prog_len, helpers);
		}
		close(fd);
	}
}

/* raw-dispatch: the stub's implementation at index 0 of its program array. */
static int dispatch_impl(struct bench_raw *skel)
{
	int fd = bpf_program__fd(skel->progs.raw_dispatch_impl);
	__u32 zero = 0;

	if (!bpf_map_update_elem(bpf_map__fd(skel->maps.dispatch_impls), &zero, &fd, BPF_ANY))
		return 0;
	fprintf(stderr, "bench_getsid: cannot fill the program array: %s\n", strerror(errno));
	return -1;
}

/*
 * stub-dispatch: bpflp's stub on security_task_getsid, reading a word of
 * its own (side 1 live, not in flux: the steady state a call meets), both
 * sides holding impl. *link: the stub's link.
 */
static int product_stub(int impl, struct dispatch_stub *stub, int *link)
{
	struct bpflp_state state = { .active_mask = 1ULL << BPFLP_SIDE_BIT };
	int state_fd, err;
	struct dispatch_target t = {};
	struct kernel_func kf;
	__u32 zero = 0, one = 1;

	if (impl < 0)
		return -1;
	state_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpflp_state", sizeof(__u32), sizeof(state),
				  1, NULL);
	err = state_fd < 0 || bpf_map_update_elem(state_fd, &zero, &state, BPF_ANY) ? -errno : 0;
	err = err ?: kernel_func_find("security_task_getsid", &kf);
	if (!err) {
		t.func_key = kf.key;
		t.btf_id = kf.btf_id;
		t.btf_obj_fd = kernel_func_btf_obj_fd(kf.key);
		err = t.btf_obj_fd < 0 ? t.btf_obj_fd : dispatch_stub_load(&t, state_fd, -1, stub);
	}
	if (!err && (bpf_map_update_elem(stub->array_fd, &zero, &impl, BPF_ANY) ||
		     bpf_map_update_elem(stub->array_fd, &one, &impl, BPF_ANY)))
		err = -errno;
	*link = err ? -1 : bpf_link_create(stub->prog_fd, 0, BPF_MODIFY_RETURN, NULL);
	if (!err && *link < 0)
		err = -errno;
	if (state_fd >= 0)
		close(state_fd); /* the stub holds it */
	if (err)
		fprintf(stderr, "bench_getsid: cannot set up bpflp's stub: %s\n", strerror(-err));
	return err;
}

/*
 * stub-bpflp: BENCH_DISPATCH_OBJ's first program, loaded as a dispatched
 * program (private maps: its gate is folded open and reads none of them).
 * Its fd, or -1.
 */
static int dispatched_program(struct patch_object *po)
{
	const char *path = getenv("BENCH_DISPATCH_OBJ");

	if (!path || patch_object_open(po, path, true) || po->nr_progs < 1 ||
	    strcmp(po->progs[0].func, "security_task_getsid") ||
	    patch_object_load(po, BPFLP_DISPATCH_SLOT, 1, false)) {
		fprintf(stderr,
			"bench_getsid: stub-bpflp needs BENCH_DISPATCH_OBJ, a patch whose first program is on security_task_getsid\n");
		return -1;
	}
	return bpf_program__fd(po->progs[0].prog);
}

/* The programs of a raw-* mode (up to 3), loaded alone; 0 for an unknown mode. */
static int raw_progs(struct bench_raw *skel, const char *mode, struct bpf_program **out)
{
	struct bpf_program *all[] = {
		skel->progs.raw_fmod_ret,
		skel->progs.raw_fentry,
		skel->progs.raw_word,
		skel->progs.raw_word_count_array,
		skel->progs.raw_word_count_hash,
		skel->progs.raw_empty_fentry,
		skel->progs.raw_empty_fexit,
		skel->progs.raw_dispatch,
		skel->progs.raw_dispatch_impl,
	};
	int n = 0;

	if (!strcmp(mode, "raw-fmod_ret"))
		out[n++] = skel->progs.raw_fmod_ret;
	else if (!strcmp(mode, "raw-fentry"))
		out[n++] = skel->progs.raw_fentry;
	else if (!strcmp(mode, "raw-word"))
		out[n++] = skel->progs.raw_word;
	else if (!strcmp(mode, "raw-word-count-array"))
		out[n++] = skel->progs.raw_word_count_array;
	else if (!strcmp(mode, "raw-word-count-hash"))
		out[n++] = skel->progs.raw_word_count_hash;
	else if (!strcmp(mode, "raw-word-count-array+2")) {
		out[n++] = skel->progs.raw_empty_fexit;
		out[n++] = skel->progs.raw_word_count_array;
		out[n++] = skel->progs.raw_empty_fentry;
	} else if (!strcmp(mode, "raw-dispatch")) {
		out[n++] = skel->progs.raw_dispatch;
	}
	/* Load only the programs measured, and a stub's implementation (see dispatch_impl). */
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		bool wanted = all[i] == skel->progs.raw_dispatch_impl &&
			      ((n && out[0] == skel->progs.raw_dispatch) ||
			       !strcmp(mode, "stub-dispatch") || !strcmp(mode, "stub-bpflp"));

		for (int j = 0; j < n; j++)
			wanted |= all[i] == out[j];
		bpf_program__set_autoload(all[i], wanted);
	}
	return n;
}

int main(int argc, char **argv)
{
	bool prog_stats = getenv("BENCH_PROG_STATS") && !strcmp(getenv("BENCH_PROG_STATS"), "1");
	struct dispatch_stub stub = { .prog_fd = -1, .array_fd = -1 };
	bool stub_mode = !strncmp(argc > 1 ? argv[1] : "", "stub-", 5);
	static struct patch_object po; /* a thousand programs' room: not on the stack */
	struct bench_raw *skel = NULL;
	struct bpf_program *progs[3];
	struct bpf_link *links[3] = {};
	int nr_progs = 0, stub_link = -1;
	int stats_fd = -1, err = 1;
	__u32 zero = 0;
	long calls;

	if (argc != 3 || (calls = atol(argv[2])) <= 0) {
		fprintf(stderr,
			"usage: bench_getsid plain|raw-fmod_ret|raw-fentry|raw-word|raw-word-count-array|raw-word-count-array+2|raw-word-count-hash|raw-dispatch|stub-dispatch|stub-bpflp CALLS\n");
		return 2;
	}
	if (stub_mode)
		attach_target_handlers(); /* before any object opens (dispatch_stub.h) */
	if (strcmp(argv[1], "plain")) {
		skel = bench_raw__open();
		if (!skel)
			goto cleanup;
		nr_progs = raw_progs(skel, argv[1], progs);
		if (!nr_progs && strcmp(argv[1], "stub-dispatch") && strcmp(argv[1], "stub-bpflp")) {
			fprintf(stderr, "bench_getsid: unknown mode %s\n", argv[1]);
			goto cleanup;
		}
		if (bench_raw__load(skel))
			goto cleanup;
		/* The gate's word: this "patch" active, no transaction. */
		struct {
			__u64 active_mask, flux;
		} word = { 1, 0 };
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.state), &zero, &word, BPF_ANY))
			goto cleanup;
		if (nr_progs && progs[0] == skel->progs.raw_dispatch && dispatch_impl(skel))
			goto cleanup;
		if (!strcmp(argv[1], "stub-dispatch") &&
		    product_stub(bpf_program__fd(skel->progs.raw_dispatch_impl), &stub, &stub_link))
			goto cleanup;
		if (!strcmp(argv[1], "stub-bpflp") &&
		    product_stub(dispatched_program(&po), &stub, &stub_link))
			goto cleanup;
		for (int i = 0; i < nr_progs; i++) {
			links[i] = bpf_program__attach_trace(progs[i]);
			if (!links[i]) {
				fprintf(stderr, "bench_getsid: attach: %s\n", strerror(errno));
				goto cleanup;
			}
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
	for (int i = 0; i < nr_progs; i++)
		bpf_link__destroy(links[i]);
	if (stub_link >= 0)
		close(stub_link);
	dispatch_stub_close(&stub);
	if (po.obj)
		patch_object_close(&po);
	bench_raw__destroy(skel);
	return err;
}
