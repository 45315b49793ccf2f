// SPDX-License-Identifier: GPL-2.0
/*
 * demo_probe alg|perf|cmdline: try the operation the demo patches guard and print
 * "ok" or the errno's name, so the demo and tests compare exact strings.
 *
 * demo_probe perf-bursts N: for each line read on stdin, N perf_event_open()
 * calls from this one process (cve-fixes v3/v4 count them per task),
 * printing how many succeeded and how each failed ("40 ok" or
 * "24 ok, 16 EAGAIN"); the process lives on between bursts, so a patch
 * applied between two of them finds its count.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#ifndef AF_ALG
#define AF_ALG 38
#endif

static int report(int err)
{
	printf("%s\n", err ? strerrorname_np(err) : "ok");
	return 0;
}

static int try_alg(void)
{
	int fd = socket(AF_ALG, SOCK_SEQPACKET, 0);

	if (fd < 0)
		return report(errno);
	close(fd);
	return report(0);
}

/* A software clock counting this process: allowed at any perf_event_paranoid. */
static int open_perf(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_TASK_CLOCK,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_perf(void)
{
	return report(open_perf());
}

static int perf_bursts(const char *count)
{
	char line[64];
	int n = atoi(count);

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (n > 0 && fgets(line, sizeof(line), stdin)) {
		int ok = 0, failed = 0, err = 0;

		for (int i = 0; i < n; i++) {
			int e = open_perf();

			ok += !e;
			failed += !!e;
			err = e ?: err;
		}
		if (failed)
			printf("%d ok, %d %s\n", ok, failed, strerrorname_np(err));
		else
			printf("%d ok\n", ok);
	}
	return n > 0 ? 0 : 2;
}

/* Read /proc/cmdline, whose handler (cmdline_proc_show) no fmod_ret reaches. */
static int try_cmdline(void)
{
	char buf[4096];
	int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return report(errno);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return report(n < 0 ? errno : 0);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "alg"))
		return try_alg();
	if (argc == 2 && !strcmp(argv[1], "perf"))
		return try_perf();
	if (argc == 2 && !strcmp(argv[1], "cmdline"))
		return try_cmdline();
	if (argc == 3 && !strcmp(argv[1], "perf-bursts"))
		return perf_bursts(argv[2]);
	fprintf(stderr, "usage: demo_probe alg|perf|cmdline|perf-bursts N\n");
	return 2;
}
