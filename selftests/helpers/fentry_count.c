// SPDX-License-Identifier: GPL-2.0
/*
 * fentry_count N: attach fentry/do_unlinkat filtered on this process, unlink
 * N files here while a child process unlinks 3 more, and print what the
 * program counted: "calls=N" is right, anything else is a miss or noise.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fentry_count.skel.h"
#include "platform.h"

#define CHILD_UNLINKS 3

static int make_files(const char *dir, const char *prefix, int n)
{
	char path[256];
	FILE *f;

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s%d", dir, prefix, i);
		f = fopen(path, "w");
		if (!f)
			return -errno;
		fclose(f);
	}
	return 0;
}

static int unlink_files(const char *dir, const char *prefix, int n)
{
	char path[256];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s%d", dir, prefix, i);
		if (unlink(path))
			return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct fentry_count *skel = NULL;
	char dir[] = "/tmp/bpflp-fentry.XXXXXX";
	bool have_dir = false;
	int n, err, status, ret = 1;
	pid_t child;

	if (argc < 2 || (n = atoi(argv[1])) < 0) {
		fprintf(stderr, "usage: %s N [-v]\n", argv[0]);
		return 2;
	}
	platform_setup_libbpf(argc > 2 && !strcmp(argv[2], "-v"));

	if (!mkdtemp(dir)) {
		fprintf(stderr, "error: mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	have_dir = true;
	if (make_files(dir, "self", n) || make_files(dir, "child", CHILD_UNLINKS)) {
		fprintf(stderr, "error: cannot create test files in %s\n", dir);
		goto cleanup;
	}

	skel = fentry_count__open();
	if (!skel) {
		fprintf(stderr, "error: cannot open fentry_count: %s\n", strerror(errno));
		goto cleanup;
	}
	skel->rodata->target_tgid = getpid();
	err = fentry_count__load(skel);
	if (err) {
		ret = platform_load_failed("fentry/do_unlinkat", err);
		goto cleanup;
	}
	err = fentry_count__attach(skel);
	if (err) {
		fprintf(stderr, "error: cannot attach fentry/do_unlinkat: %s\n", strerror(-err));
		goto cleanup;
	}

	child = fork();
	if (child < 0) {
		fprintf(stderr, "error: fork: %s\n", strerror(errno));
		goto cleanup;
	}
	if (child == 0)
		_exit(unlink_files(dir, "child", CHILD_UNLINKS) ? 1 : 0);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "error: the child process could not unlink its files\n");
		goto cleanup;
	}
	err = unlink_files(dir, "self", n);
	if (err) {
		fprintf(stderr, "error: unlink: %s\n", strerror(-err));
		goto cleanup;
	}

	printf("calls=%llu\n", (unsigned long long)skel->bss->calls);
	ret = 0;
cleanup:
	fentry_count__destroy(skel);
	if (have_dir) {
		unlink_files(dir, "self", n);
		unlink_files(dir, "child", CHILD_UNLINKS);
		rmdir(dir);
	}
	return ret;
}
