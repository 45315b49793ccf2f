// SPDX-License-Identifier: GPL-2.0
/*
 * fmodret_order PATH FIRST: attach two fmod_ret/security_file_open programs
 * one after the other (FIRST is "a" or "b"; a denies with EPERM, b with
 * EACCES, both only for this process and PATH), then report what open(PATH)
 * gives
 *   both:   both attached                     -> tells who runs first
 *   oldest: after destroying the newest link  -> the oldest alone
 *   none:   after destroying both             (want ok)
 * as lines "WHO: ok" or "WHO: errno=N", and "first=a|b" naming the program
 * whose errno "both" showed.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fmodret_order.skel.h"
#include "platform.h"

int main(int argc, char **argv)
{
	struct fmodret_order *skel = NULL;
	struct bpf_program *first, *second;
	struct bpf_link *link_first = NULL, *link_second = NULL;
	const char *path;
	struct stat st;
	int err, both, ret = 1;

	if (argc < 3 || (strcmp(argv[2], "a") && strcmp(argv[2], "b"))) {
		fprintf(stderr, "usage: %s PATH a|b [-v]\n", argv[0]);
		return 2;
	}
	path = argv[1];
	platform_setup_libbpf(argc > 3 && !strcmp(argv[3], "-v"));
	if (stat(path, &st)) {
		fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
		return 1;
	}

	skel = fmodret_order__open();
	if (!skel) {
		fprintf(stderr, "error: cannot open fmodret_order: %s\n", strerror(errno));
		goto cleanup;
	}
	skel->rodata->target_tgid = getpid();
	skel->rodata->target_ino = st.st_ino;
	skel->rodata->errno_a = EPERM;
	skel->rodata->errno_b = EACCES;
	err = fmodret_order__load(skel);
	if (err) {
		ret = platform_load_failed("fmod_ret/security_file_open", err);
		goto cleanup;
	}

	first = argv[2][0] == 'a' ? skel->progs.deny_a : skel->progs.deny_b;
	second = argv[2][0] == 'a' ? skel->progs.deny_b : skel->progs.deny_a;
	link_first = bpf_program__attach(first);
	if (!link_first) {
		fprintf(stderr, "error: cannot attach %s: %s\n", bpf_program__name(first),
			strerror(errno));
		goto cleanup;
	}
	link_second = bpf_program__attach(second);
	if (!link_second) {
		fprintf(stderr, "error: cannot attach %s: %s\n", bpf_program__name(second),
			strerror(errno));
		goto cleanup;
	}

	both = platform_try_open(path);
	platform_report_open("both", both);
	printf("first=%s\n", both == EPERM ? "a" : both == EACCES ? "b" : "?");

	bpf_link__destroy(link_second);
	link_second = NULL;
	platform_report_open("oldest", platform_try_open(path));

	bpf_link__destroy(link_first);
	link_first = NULL;
	platform_report_open("none", platform_try_open(path));

	printf("runs_a=%llu runs_b=%llu\n", (unsigned long long)skel->bss->runs_a,
	       (unsigned long long)skel->bss->runs_b);
	ret = 0;
cleanup:
	bpf_link__destroy(link_second);
	bpf_link__destroy(link_first);
	fmodret_order__destroy(skel);
	return ret;
}
