/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared bits of the helper programs in selftests/helpers/, which tests of every area run.
 * Exit codes follow selftests/run-tests.sh: 0 pass, 77 skip, other fail.
 */
#ifndef BPFLP_PLATFORM_H
#define BPFLP_PLATFORM_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#define EXIT_SKIP 77

static bool platform_verbose;

static int platform_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !platform_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static inline void platform_setup_libbpf(bool verbose)
{
	platform_verbose = verbose;
	libbpf_set_print(platform_libbpf_print);
}

/*
 * The build host refuses fentry/fexit/fmod_ret loads with EPERM before the
 * verifier runs; that is a missing kernel feature (skip), not a failure.
 */
static inline int platform_load_failed(const char *what, int err)
{
	if (err == -EPERM) {
		fprintf(stderr,
			"skip: %s: this kernel refuses tracing programs (EPERM); "
			"run the test in the VM: selftests/vm/run-in-vm.sh\n",
			what);
		return EXIT_SKIP;
	}
	fprintf(stderr, "error: cannot load %s: %s\n", what, strerror(-err));
	return 1;
}

/* 0 when open(path) works, else the errno it failed with. */
static inline int platform_try_open(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* "WHO: ok" or "WHO: errno=N", as the tests read an open() outcome. */
static inline void platform_report_open(const char *who, int err)
{
	if (err)
		printf("%s: errno=%d\n", who, err);
	else
		printf("%s: ok\n", who);
	fflush(stdout);
}

#endif /* BPFLP_PLATFORM_H */
