// SPDX-License-Identifier: GPL-2.0
/*
 * gap_hammer: look for a gap in bpflp's replace. Hammer processes open() a
 * file the "gap" test patches deny (gap@1 with EPERM, gap@2 with EACCES)
 * while a cycler replaces one version by the other with `bpflp apply`.
 *
 *   gap_hammer run SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V2_OBJ
 *   gap_hammer rotate SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V1_NAME B_OBJ B_NAME
 *   gap_hammer pop SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V1_NAME B_OBJ B_NAME
 *   gap_hammer observe SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V2_OBJ
 *   gap_hammer probe OP PATH [OP PATH...]
 *
 * run replaces gap@1 and gap@2 by each other, one apply a step. rotate
 * rotates a hotfix the gap-free way: stack B (EACCES) over V1 (EPERM),
 * disable V1, stack V1 over B, disable B, one transaction a step. pop
 * stacks B over V1 and disables B again: the disabled patch is the newest
 * on the function, and V1 takes over from it. observe
 * replaces two observer-only patches by each other: every open() must then
 * succeed, and the test compares the calls the observers counted with
 * the calls made (printed). The first object must be active when it starts. The cycler and the hammers share a
 * seqlock-style page (SHARED, a file mmap'd by every process): before each
 * apply the cycler makes seq odd, after apply has returned it stores the
 * committed version and makes seq even again. A hammer reads seq before
 * (s0) and after (s1) each open(). When s0 == s1 and s0 is even no apply
 * overlapped the call, so its outcome must be exactly the committed version:
 * a call that starts after a commit returned never sees the older patch.
 * Otherwise either version is fine. An outcome that is neither EPERM nor
 * EACCES means the call ran unpatched: always a mismatch.
 *
 * Prints "calls checked: N, calls total: N, cycles: N, mismatches: N" and
 * the apply durations. Exit status: 0 when every cycle applied and nothing
 * mismatched, 1 otherwise, 2 on a usage or set-up error.
 *
 * probe makes each system call in turn and prints the outcomes on one line,
 * "ok" or the errno's name, like syscall_probe does for one call: the
 * reliability tests check a patch set's behaviour after every transaction,
 * and in the TCG VM each exec costs 100+ ms. OPs: open (O_RDONLY, then
 * close), mkdir (then rmdir), unlink (the file is created first, outside the
 * probed call). Exit status 0 when every outcome was printed, 2 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_HAMMERS 16
#define MAX_REPORTS 10 /* mismatches each hammer describes on stderr */

enum outcome {
	UNPATCHED = 0,
	V1 = 1,
	V2 = 2
};

struct hammer_stats {
	uint64_t calls;   /* every open() */
	uint64_t checked; /* calls no apply overlapped: exact check */
	uint64_t seen[3]; /* by enum outcome */
	uint64_t mismatches;
};

struct shared {
	uint64_t seq;       /* odd while an apply is in flight */
	uint32_t committed; /* version the last finished apply installed */
	uint32_t stop;
	uint32_t ready;   /* hammers that have started */
	uint32_t observe; /* observers only: every call must succeed */
	struct hammer_stats hammers[MAX_HAMMERS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static struct shared *map_shared(const char *path)
{
	struct shared *sh;
	int fd, err;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, sizeof(*sh))) {
		err = errno;
		fprintf(stderr, "gap_hammer: cannot create %s: %s\n", path, strerror(err));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = errno;
	close(fd);
	if (sh == MAP_FAILED) {
		fprintf(stderr, "gap_hammer: cannot map %s: %s\n", path, strerror(err));
		return NULL;
	}
	return sh;
}

static enum outcome classify(int err)
{
	switch (err) {
	case EPERM:
		return V1;
	case EACCES:
		return V2;
	default:
		return UNPATCHED;
	}
}

static void hammer(struct shared *sh, int id, const char *target)
{
	struct hammer_stats *st = &sh->hammers[id];
	uint64_t s0, s1;
	uint32_t committed;
	enum outcome got;
	int fd, err;

	__atomic_fetch_add(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		s0 = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
		committed = __atomic_load_n(&sh->committed, __ATOMIC_ACQUIRE);
		fd = open(target, O_RDONLY | O_CLOEXEC);
		err = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		/* Keep the second read after the call (a full barrier: the call is a syscall anyway). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		s1 = __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);

		got = classify(err);
		st->calls++;
		st->seen[got]++;
		if (sh->observe) {
			st->checked++;
			if (got != UNPATCHED)
				goto mismatch;
		} else if (s0 == s1 && !(s0 & 1)) {
			st->checked++;
			if (got != committed)
				goto mismatch;
		} else if (got == UNPATCHED) {
			goto mismatch;
		}
		continue;
mismatch:
		if (st->mismatches++ < MAX_REPORTS)
			fprintf(stderr,
				"gap_hammer: hammer %d: open() -> %s (outcome %d) with seq %llu..%llu, committed gap@%u\n",
				id, err ? strerror(err) : "success", got, (unsigned long long)s0,
				(unsigned long long)s1, committed);
	}
}

/* Run bpflp ARGS... with stdout to /dev/null; its exit status, -1 if it did not exit. */
static int run_bpflp(const char *bpflp, char *const args[])
{
	int status, devnull;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDOUT_FILENO);
		execv(bpflp, args);
		fprintf(stderr, "gap_hammer: cannot run %s: %s\n", bpflp, strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* One transaction of a cycle, and the outcome every call must see once it returned. */
struct step {
	char *args[6]; /* bpflp, verb, argument, flags or NULL, NULL */
	enum outcome after;
};

#define MAX_STEPS 4

/* GAP_APPLY_FLAG=--dispatch: every apply of the run is made with that flag too. */
static void add_apply_flag(struct step *steps, int nr)
{
	char *flag = getenv("GAP_APPLY_FLAG");

	for (int i = 0; flag && *flag && i < nr; i++) {
		int n = 0;

		if (strcmp(steps[i].args[1], "apply"))
			continue;
		while (steps[i].args[n])
			n++;
		steps[i].args[n] = flag;
	}
}

/* The steps a mode repeats, from argv; returns how many, or -1 on a usage error. */
static int plan_steps(int argc, char **argv, struct step *steps, struct shared *sh)
{
	static char apply[] = "apply", disable[] = "disable", stack[] = "--stack";
	char *bpflp = argv[6];

	if (!strcmp(argv[1], "rotate")) {
		if (argc != 11)
			return -1;
		steps[0] = (struct step){ { bpflp, apply, argv[9], stack }, V2 };
		steps[1] = (struct step){ { bpflp, disable, argv[8] }, V2 };
		steps[2] = (struct step){ { bpflp, apply, argv[7], stack }, V1 };
		steps[3] = (struct step){ { bpflp, disable, argv[10] }, V1 };
		return 4;
	}
	if (!strcmp(argv[1], "pop")) {
		if (argc != 11)
			return -1;
		steps[0] = (struct step){ { bpflp, apply, argv[9], stack }, V2 };
		steps[1] = (struct step){ { bpflp, disable, argv[10] }, V1 };
		return 2;
	}
	if (argc != 9)
		return -1;
	sh->observe = !strcmp(argv[1], "observe");
	steps[0] = (struct step){ { bpflp, apply, argv[8] }, sh->observe ? UNPATCHED : V2 };
	steps[1] = (struct step){ { bpflp, apply, argv[7] }, sh->observe ? UNPATCHED : V1 };
	return 2;
}

static int cmd_run(int argc, char **argv)
{
	uint64_t start, t0, took, total_ns = 0, max_ns = 0;
	const char *shared_path, *target;
	struct step steps[MAX_STEPS];
	pid_t pids[MAX_HAMMERS];
	int nr_hammers, nr_cycles, nr_steps, cycles = 0, failed = 0, rc, status;
	struct hammer_stats sum = {};
	struct shared *sh;

	if (argc < 9)
		return -1;
	shared_path = argv[2];
	target = argv[3];
	nr_hammers = atoi(argv[4]);
	nr_cycles = atoi(argv[5]);
	if (nr_hammers < 1 || nr_hammers > MAX_HAMMERS || nr_cycles < 1)
		return -1;
	sh = map_shared(shared_path);
	if (!sh)
		return 2;
	nr_steps = plan_steps(argc, argv, steps, sh);
	if (nr_steps < 0)
		return -1;
	add_apply_flag(steps, nr_steps);
	sh->committed = steps[nr_steps - 1].after;

	for (int i = 0; i < nr_hammers; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fprintf(stderr, "gap_hammer: fork: %s\n", strerror(errno));
			__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
			nr_hammers = i;
			failed = 1;
			break;
		}
		if (pids[i] == 0) {
			/* Never outlive the cycler (a test timeout kills only it). */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			/*
			 * Yield to bpflp: with more hammers than CPUs it would
			 * otherwise get a fraction of one and the cycles crawl.
			 * The hammers still fill the other CPUs throughout.
			 */
			if (nice(10) < 0)
				perror("gap_hammer: nice");
			hammer(sh, i, target);
			_exit(0);
		}
	}
	while (!failed && __atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE) < (uint32_t)nr_hammers)
		usleep(1000);

	start = now_ns();
	for (; !failed && cycles < nr_cycles; cycles++) {
		const struct step *step = &steps[cycles % nr_steps];

		__atomic_fetch_add(&sh->seq, 1, __ATOMIC_SEQ_CST); /* odd: in flight */
		t0 = now_ns();
		rc = run_bpflp(step->args[0], step->args);
		took = now_ns() - t0;
		if (rc) {
			/* Leave seq odd: nothing after a failed step is checked exactly. */
			fprintf(stderr, "gap_hammer: step %d: bpflp %s %s exited %d\n", cycles + 1,
				step->args[1], step->args[2], rc);
			failed = 1;
			break;
		}
		__atomic_store_n(&sh->committed, step->after, __ATOMIC_RELEASE);
		__atomic_fetch_add(&sh->seq, 1, __ATOMIC_SEQ_CST); /* even: settled */
		total_ns += took;
		if (took > max_ns)
			max_ns = took;
		/* Let the hammers make calls against the settled state too. */
		usleep(2000);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < nr_hammers; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "gap_hammer: hammer %d did not finish cleanly\n", i);
			failed = 1;
		}
	}
	for (int i = 0; i < nr_hammers; i++) {
		sum.calls += sh->hammers[i].calls;
		sum.checked += sh->hammers[i].checked;
		sum.mismatches += sh->hammers[i].mismatches;
		for (int o = 0; o < 3; o++)
			sum.seen[o] += sh->hammers[i].seen[o];
	}
	printf("calls checked: %llu, calls total: %llu, cycles: %d, mismatches: %llu\n",
	       (unsigned long long)sum.checked, (unsigned long long)sum.calls, cycles,
	       (unsigned long long)sum.mismatches);
	printf("outcomes: gap@1 %llu, gap@2 %llu, unpatched %llu\n", (unsigned long long)sum.seen[V1],
	       (unsigned long long)sum.seen[V2], (unsigned long long)sum.seen[UNPATCHED]);
	printf("duration: %.1f s; transaction: mean %.0f ms, max %.0f ms; last committed outcome %u\n",
	       (now_ns() - start) / 1e9, cycles ? total_ns / 1e6 / cycles : 0.0, max_ns / 1e6,
	       sh->committed);
	munmap(sh, sizeof(*sh));
	return failed || sum.mismatches ? 1 : 0;
}

/* One probed call: 0 or the errno it failed with; -1 if the set-up around it failed. */
static int probe_one(const char *op, const char *path)
{
	int fd;

	if (!strcmp(op, "open")) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	if (!strcmp(op, "mkdir")) {
		if (mkdir(path, 0700))
			return errno;
		if (rmdir(path)) {
			fprintf(stderr, "gap_hammer: cannot remove %s again: %s\n", path,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if (!strcmp(op, "unlink")) {
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "gap_hammer: cannot create %s: %s\n", path, strerror(errno));
			return -1;
		}
		close(fd);
		return unlink(path) ? errno : 0;
	}
	fprintf(stderr, "gap_hammer: unknown probe '%s'\n", op);
	return -1;
}

static int cmd_probe(int argc, char **argv)
{
	const char *name;
	int err;

	if (argc < 4 || argc % 2)
		return -1;
	for (int i = 2; i < argc; i += 2) {
		err = probe_one(argv[i], argv[i + 1]);
		if (err < 0)
			return 2;
		name = err ? strerrorname_np(err) : "ok";
		if (name)
			printf("%s%s", i > 2 ? " " : "", name);
		else
			printf("%serrno=%d", i > 2 ? " " : "", err);
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	int rc = -1;

	if (argc > 1 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "rotate") ||
			 !strcmp(argv[1], "pop") || !strcmp(argv[1], "observe")))
		rc = cmd_run(argc, argv);
	else if (argc > 1 && !strcmp(argv[1], "probe"))
		rc = cmd_probe(argc, argv);
	if (rc < 0) {
		fprintf(stderr,
			"usage: gap_hammer run|observe SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V2_OBJ\n"
			"       gap_hammer rotate SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V1_NAME B_OBJ B_NAME\n"
			"       gap_hammer pop SHARED TARGET HAMMERS STEPS BPFLP V1_OBJ V1_NAME B_OBJ B_NAME\n"
			"       gap_hammer probe OP PATH [OP PATH...]   (OP: open, mkdir, unlink)\n");
		return 2;
	}
	return rc;
}
