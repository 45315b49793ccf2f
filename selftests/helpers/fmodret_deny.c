// SPDX-License-Identifier: GPL-2.0
/*
 * fmodret_deny PATH ERRNO: attach fmod_ret/security_file_open denying PATH to
 * this process with ERRNO, then report what open(PATH) gives
 *   self:    this process, program attached     (want errno=ERRNO)
 *   other:   a child process, program attached  (want ok)
 *   detached: this process after link destroy   (want ok)
 * as lines "WHO: ok" or "WHO: errno=N", plus "denied=N" counted in BPF.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fmodret_deny.skel.h"
#include "platform.h"

int main(int argc, char **argv)
{
	struct fmodret_deny *skel = NULL;
	const char *path;
	struct stat st;
	int deny, err, status, ret = 1;
	pid_t child;

	if (argc < 3 || (deny = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: %s PATH ERRNO [-v]\n", argv[0]);
		return 2;
	}
	path = argv[1];
	platform_setup_libbpf(argc > 3 && !strcmp(argv[3], "-v"));
	if (stat(path, &st)) {
		fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
		return 1;
	}

	skel = fmodret_deny__open();
	if (!skel) {
		fprintf(stderr, "error: cannot open fmodret_deny: %s\n", strerror(errno));
		goto cleanup;
	}
	skel->rodata->target_tgid = getpid();
	skel->rodata->target_ino = st.st_ino;
	skel->rodata->deny_errno = deny;
	err = fmodret_deny__load(skel);
	if (err) {
		ret = platform_load_failed("fmod_ret/security_file_open", err);
		goto cleanup;
	}
	err = fmodret_deny__attach(skel);
	if (err) {
		fprintf(stderr, "error: cannot attach fmod_ret/security_file_open: %s\n",
			strerror(-err));
		goto cleanup;
	}

	platform_report_open("self", platform_try_open(path));

	child = fork();
	if (child < 0) {
		fprintf(stderr, "error: fork: %s\n", strerror(errno));
		goto cleanup;
	}
	if (child == 0) {
		platform_report_open("other", platform_try_open(path));
		_exit(0);
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "error: child process failed\n");
		goto cleanup;
	}

	bpf_link__destroy(skel->links.deny_file_open);
	skel->links.deny_file_open = NULL;
	platform_report_open("detached", platform_try_open(path));

	printf("denied=%llu\n", (unsigned long long)skel->bss->denied);
	ret = 0;
cleanup:
	fmodret_deny__destroy(skel);
	return ret;
}
