// SPDX-License-Identifier: GPL-2.0
/*
 * dispatch_scale N PATCH_PREFIX K...: make bench-scale's probe of the replace
 * designed in docs/design.md ("Next: a replace by program-array writes"),
 * on the N functions security_bpflp_bench_<i> of the scale benchmark's
 * target module, with the same patch objects bpflp applies
 * (PATCH_PREFIX-vV.bpf.o, V = 1, 2, ...).
 *
 * One fmod_ret stub per function (bpflp's, loader/kernel/dispatch_stub.c),
 * attached once, reads a generation G from a word laid out as bpflp_state's
 * (its side bit, BPFLP_SIDE_BIT, is G & 1) and tail-calls that entry of
 * the function's program array. A version is
 * opened and loaded by bpflp's own code (patch_object), then:
 *   apply    v1 loaded; side 1 written; stubs attached (G = 0: empty side,
 *            the original runs); G -> 1; a grace period
 *   replace  v2 (K = 0: no body changed) and then one step per K: only
 *            the programs whose fingerprint differs from the one their
 *            function runs are loaded (bpflp's "unchanged" test,
 *            prog_fingerprint.h, made when the object is opened), and they
 *            must be the K that gen.py changed (the first K); every
 *            function's entry on the other side is made to hold the
 *            program it keeps or the new one (written only where it holds
 *            another: after the first replace, about K writes); G + 1; a
 *            grace period before that side may be written again
 *   disable  the other side emptied; G + 1; the stubs detached
 * Nothing is pinned or journaled, and G is written with a plain map update,
 * not the commit program's compare-and-swap: these are the protocol's
 * costs, not a product's.
 *
 * Each patch program is loaded in the slot of dispatched programs
 * (BPFLP_DISPATCH_SLOT), which opens its gate: its counter then shows
 * which version a call ran. After every switch, functions 0, the last changed one and N - 1 are
 * called through /proc/bpflp_bench, and must be counted by the version
 * that now owns them and by no other (by none after the disable).
 *
 * Prints one scale.csv row per transaction (scale.sh's columns):
 *   dispatch,N,OP,total_ms,open_ms,load_ms,attach_ms,commit_us,detach_ms,
 * attach: array writes and, in the apply, the stubs loaded and attached;
 * detach: the grace period after a replace, the stubs detached after the
 * disable.
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bpflp/abi.h"
#include "dispatch_stub.h"
#include "kernel_func.h"
#include "log.h"
#include "patch_object.h"

#define MAX_VERSIONS 8
#define CHECK_CALLS  3
#define BENCH_PROC   "/proc/bpflp_bench"
#define FUNC_PREFIX  "security_bpflp_bench_"

struct func_dispatch {
	int array_fd; /* PROG_ARRAY of 2: the sides */
	int link_fd;
	int side_owner[2]; /* version whose program is on each side, -1 empty */
	int owner;         /* the version that has its newest body */
};

struct probe {
	int n;
	int state_fd; /* ARRAY of one struct bpflp_state: G's side bit in active_mask */
	__u64 gen;
	struct func_dispatch *funcs;
	struct patch_object *versions[MAX_VERSIONS];
	int *prog_of[MAX_VERSIONS]; /* version's program index per function, -1 not loaded */
	int nr_versions;
};

struct phases {
	double t0, open, load, attach, commit, detach;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Leave ms (a check between two phases) out of every phase before it. */
static void exclude(struct phases *ph, double ms)
{
	ph->t0 += ms;
	ph->open += ms;
	ph->load += ms;
	ph->attach += ms;
	ph->commit += ms;
}

static void print_row(const struct probe *p, const char *op, const struct phases *ph)
{
	printf("dispatch,%d,%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,\n", p->n, op, ph->detach - ph->t0,
	       ph->open - ph->t0, ph->load - ph->open, ph->attach - ph->load,
	       (ph->commit - ph->attach) * 1e3, ph->detach - ph->commit);
}

static int func_index(const char *func)
{
	return strncmp(func, FUNC_PREFIX, strlen(FUNC_PREFIX)) ? -1 :
								 atoi(func + strlen(FUNC_PREFIX));
}

static int bad_version(const char *path, const char *what, int i)
{
	fprintf(stderr, "dispatch_scale: %s: %s for %s%d\n", path, what, FUNC_PREFIX, i);
	return -EINVAL;
}

/* A version has exactly one program on each of the N functions, and no other. */
static int one_per_function(const struct probe *p, const struct patch_object *po, const char *path)
{
	bool *seen = calloc(p->n, sizeof(*seen));
	int err = seen ? 0 : -ENOMEM;

	for (int j = 0; j < po->nr_progs && !err; j++) {
		int i = func_index(po->progs[j].func);

		if (i < 0 || i >= p->n) {
			fprintf(stderr, "dispatch_scale: %s: unexpected function %s\n", path,
				po->progs[j].func);
			err = -EINVAL;
		} else if (seen[i]) {
			err = bad_version(path, "two programs", i);
		}
		if (!err)
			seen[i] = true;
	}
	for (int i = 0; i < p->n && !err; i++)
		if (!seen[i])
			err = bad_version(path, "no program", i);
	free(seen);
	return err;
}

/* Does function i's program in po (index j) differ from the one function i runs? */
static bool differs(const struct probe *p, const struct patch_object *po, int j, int i)
{
	int owner = p->funcs[i].owner;
	const struct patch_object *running = p->versions[owner];

	return !prog_fingerprint_same(&po->progs[j].fingerprint,
				      &running->progs[p->prog_of[owner][i]].fingerprint);
}

/*
 * Open the next version's object and load only the programs that differ
 * from what their functions run (all of them: decide false);
 * ph->open and ph->load are when each step ended.
 */
static int load_version(struct probe *p, const char *path, bool decide, struct phases *ph)
{
	int v = p->nr_versions, err;
	struct patch_object *po;

	po = calloc(1, sizeof(*po));
	p->prog_of[v] = malloc(p->n * sizeof(int));
	if (!po || !p->prog_of[v])
		return -ENOMEM;
	p->versions[v] = po;
	p->nr_versions++;
	err = patch_object_open(po, path, true);
	if (err)
		return err;
	err = one_per_function(p, po, path);
	if (err)
		return err;
	for (int i = 0; i < p->n; i++)
		p->prog_of[v][i] = -1;
	for (int j = 0; j < po->nr_progs; j++) {
		int i = func_index(po->progs[j].func);

		if (decide && !differs(p, po, j, i))
			bpf_program__set_autoload(po->progs[j].prog, false);
		else
			p->prog_of[v][i] = j;
	}
	ph->open = now_ms();
	err = patch_object_load(po, BPFLP_DISPATCH_SLOT, 1, false);
	ph->load = now_ms();
	return err;
}

/* The decision must be gen.py's series: exactly the first `changed` functions differ. */
static int check_decided(const struct probe *p, int v, const char *path, int changed)
{
	for (int i = 0; i < p->n; i++)
		if ((p->prog_of[v][i] >= 0) != (i < changed)) {
			fprintf(stderr,
				"dispatch_scale: %s: function %d decided %s, but gen.py changed the first %d\n",
				path, i, p->prog_of[v][i] >= 0 ? "changed" : "unchanged", changed);
			return -EINVAL;
		}
	return 0;
}

/* The calls version v counted on function i. */
static __u64 counted(const struct probe *p, int v, int i)
{
	int nr_cpus = libbpf_num_possible_cpus(), j = p->prog_of[v][i];
	struct bpf_map *stats = bpf_object__find_map_by_name(p->versions[v]->obj, "bpflp_stats");
	struct bpflp_stat per_cpu[nr_cpus > 0 ? nr_cpus : 1];
	__u32 key = j;
	__u64 calls = 0;

	if (j < 0 || !stats || nr_cpus <= 0 || bpf_map_lookup_elem(bpf_map__fd(stats), &key, per_cpu))
		return 0;
	for (int c = 0; c < nr_cpus; c++)
		calls += per_cpu[c].calls;
	return calls;
}

static int call_function(int i)
{
	char cmd[64];
	FILE *f = fopen(BENCH_PROC, "w");
	int err;

	if (!f)
		return -errno;
	snprintf(cmd, sizeof(cmd), "fn %d %d", i, CHECK_CALLS);
	err = fputs(cmd, f) < 0 ? -EIO : 0;
	return fclose(f) ? -errno : err;
}

/* Call function i: only its owner (none: -1) may count the calls. */
static int check_function(const struct probe *p, int i, int owner)
{
	__u64 before[MAX_VERSIONS];
	int err;

	for (int v = 0; v < p->nr_versions; v++)
		before[v] = counted(p, v, i);
	err = call_function(i);
	if (err) {
		fprintf(stderr, "dispatch_scale: cannot call function %d: %s\n", i, strerror(-err));
		return err;
	}
	for (int v = 0; v < p->nr_versions; v++) {
		__u64 got = counted(p, v, i) - before[v], want = v == owner ? CHECK_CALLS : 0;

		if (got != want) {
			fprintf(stderr,
				"dispatch_scale: function %d: version %d counted %llu calls, want %llu\n",
				i, v + 1, (unsigned long long)got, (unsigned long long)want);
			return -EPROTO;
		}
	}
	return 0;
}

static int check_functions(const struct probe *p, int changed, bool disabled)
{
	int sample[] = { 0, changed > 0 ? changed - 1 : 0, p->n - 1 }, err = 0;

	for (size_t s = 0; s < sizeof(sample) / sizeof(sample[0]) && !err; s++) {
		int i = sample[s];

		err = check_function(p, i, disabled ? -1 : p->funcs[i].owner);
	}
	return err;
}

/* Write function i's entry on side s: version v's program, or empty (v < 0). */
static int write_side(struct probe *p, int i, int s, int v)
{
	struct func_dispatch *f = &p->funcs[i];
	__u32 key = s;
	int fd;

	if (f->side_owner[s] == v)
		return 0;
	if (v < 0) {
		if (bpf_map_delete_elem(f->array_fd, &key) && errno != ENOENT)
			return -errno;
	} else {
		fd = bpf_program__fd(p->versions[v]->progs[p->prog_of[v][i]].prog);
		if (bpf_map_update_elem(f->array_fd, &key, &fd, BPF_ANY))
			return -errno;
	}
	f->side_owner[s] = v;
	return 0;
}

/* G + 1: every stub now reads the side just written. */
static int flip(struct probe *p)
{
	struct bpflp_state state = { .active_mask = ((p->gen + 1) & 1) << BPFLP_SIDE_BIT };
	__u32 zero = 0;

	if (bpf_map_update_elem(p->state_fd, &zero, &state, BPF_ANY))
		return -errno;
	p->gen++;
	return 0;
}

/*
 * Every program that read the old G has finished: its side may be written
 * again. MEMBARRIER_CMD_GLOBAL is synchronize_rcu() with more than one CPU
 * online and returns at once with one, where no other task can be inside
 * a program while this one runs (Debian's kernels do not preempt them).
 */
static int grace_period(void)
{
	return syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) ? -errno : 0;
}

/* The stub of pp's function: the target bpflp found for the program. */
static int load_stub(const struct probe *p, const struct patch_prog *pp, struct dispatch_stub *stub)
{
	struct dispatch_target t = {
		.func_key = pp->func_key,
		.btf_id = (__u32)pp->func_key,
		.btf_obj_fd = kernel_func_btf_obj_fd(pp->func_key),
	};

	if (t.btf_obj_fd < 0)
		return t.btf_obj_fd;
	return dispatch_stub_load(&t, p->state_fd, -1, stub);
}

static int apply(struct probe *p, const char *path)
{
	struct phases ph = { .t0 = now_ms() };
	struct dispatch_stub stub;
	int err;

	p->state_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpflp_state", sizeof(__u32),
				     sizeof(struct bpflp_state), 1, NULL);
	if (p->state_fd < 0)
		return -errno;
	err = load_version(p, path, false, &ph);
	for (int i = 0; i < p->n && !err; i++) {
		struct func_dispatch *f = &p->funcs[i];

		f->side_owner[0] = f->side_owner[1] = -1;
		f->owner = 0;
		err = load_stub(p, &p->versions[0]->progs[p->prog_of[0][i]], &stub);
		if (err)
			break;
		f->array_fd = stub.array_fd;
		err = write_side(p, i, 1, 0);
		f->link_fd = err ? -1 : bpf_link_create(stub.prog_fd, 0, BPF_MODIFY_RETURN, NULL);
		err = err ?: (f->link_fd < 0 ? -errno : 0);
		close(stub.prog_fd);
	}
	ph.attach = now_ms();
	err = err ?: flip(p);
	ph.commit = now_ms();
	err = err ?: grace_period(); /* before the first replace writes side 0 */
	ph.detach = now_ms();
	if (!err)
		print_row(p, "apply", &ph);
	return err ?: check_functions(p, p->n, false);
}

/* The next version, whose first `changed` functions have a new body. */
static int replace(struct probe *p, const char *path, int changed, const char *op)
{
	struct phases ph = { .t0 = now_ms() };
	int v = p->nr_versions, side = (p->gen + 1) & 1, err;

	err = load_version(p, path, true, &ph);
	if (!err) {
		double decided = now_ms();

		err = check_decided(p, v, path, changed);
		exclude(&ph, now_ms() - decided);
	}
	for (int i = 0; i < p->n && !err; i++) {
		if (p->prog_of[v][i] >= 0)
			p->funcs[i].owner = v;
		err = write_side(p, i, side, p->funcs[i].owner);
	}
	ph.attach = now_ms();
	err = err ?: flip(p);
	ph.commit = now_ms();
	err = err ?: grace_period();
	ph.detach = now_ms();
	if (!err)
		print_row(p, op, &ph);
	return err ?: check_functions(p, changed, false);
}

static int disable(struct probe *p)
{
	struct phases ph = { .t0 = now_ms() };
	int side = (p->gen + 1) & 1, err = 0;

	ph.open = ph.load = ph.t0;
	for (int i = 0; i < p->n && !err; i++)
		err = write_side(p, i, side, -1);
	ph.attach = now_ms();
	err = err ?: flip(p);
	ph.commit = now_ms();
	/* The empty side and the flip unpatched them, with the stubs still on. */
	err = err ?: check_functions(p, 0, true);
	exclude(&ph, now_ms() - ph.commit);
	for (int i = 0; i < p->n && !err; i++) {
		close(p->funcs[i].link_fd);
		p->funcs[i].link_fd = -1;
	}
	ph.detach = now_ms();
	if (!err)
		print_row(p, "disable", &ph);
	return err ?: check_functions(p, 0, true);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s N PATCH_PREFIX K...\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit nofile = { 1 << 16, 1 << 16 };
	struct probe p = { .state_fd = -1 };
	char path[4096], op[32];
	int err;

	if (argc < 3)
		usage(argv[0]);
	p.n = atoi(argv[1]);
	if (p.n <= 0 || p.n > BPFLP_MAX_FUNCS || argc - 3 > MAX_VERSIONS - 2)
		usage(argv[0]);
	log_setup_libbpf();
	/* Each version's programs, and one array and link per function, are descriptors. */
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		fprintf(stderr, "dispatch_scale: descriptor limit not raised: %s\n", strerror(errno));
	p.funcs = calloc(p.n, sizeof(*p.funcs));
	if (!p.funcs)
		return 1;
	snprintf(path, sizeof(path), "%s-v1.bpf.o", argv[2]);
	err = apply(&p, path);
	snprintf(path, sizeof(path), "%s-v2.bpf.o", argv[2]);
	err = err ?: replace(&p, path, 0, "replace");
	for (int a = 3; a < argc && !err; a++) {
		snprintf(path, sizeof(path), "%s-v%d.bpf.o", argv[2], a);
		snprintf(op, sizeof(op), "replace_k%s", argv[a]);
		err = replace(&p, path, atoi(argv[a]), op);
	}
	err = err ?: disable(&p);
	if (err)
		fprintf(stderr, "dispatch_scale: %s\n", strerror(-err));
	return err ? 1 : 0;
}
