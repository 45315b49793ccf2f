// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_probe OP PATH: make one system call that a test patch may deny and
 * print its outcome as "ok" or the errno's name ("EPERM", "EACCES", ...), so
 * tests compare exact strings. Each OP leaves the file system as it found it
 * when the call succeeds:
 *
 *   open PATH    open(PATH, O_RDONLY) an existing file, then close it
 *   unlink PATH  create PATH if missing (outside the probed call), unlink it
 *   mkdir PATH   mkdir(PATH), then rmdir it again
 *   statfs PATH  statfs(PATH) an existing file
 *   truncate PATH  create PATH if missing (outside the probed call), truncate it to 0
 *
 * Exit status: 0 when the outcome was printed, 2 on a usage or set-up error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>

static int probe_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int probe_unlink(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		fprintf(stderr, "syscall_probe: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return unlink(path) ? errno : 0;
}

static int probe_mkdir(const char *path)
{
	if (mkdir(path, 0700))
		return errno;
	if (rmdir(path)) {
		fprintf(stderr, "syscall_probe: cannot remove %s again: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int probe_statfs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) ? errno : 0;
}

static int probe_truncate(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		fprintf(stderr, "syscall_probe: cannot create %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return truncate(path, 0) ? errno : 0;
}

static const struct {
	const char *name;
	int (*probe)(const char *path);
} ops[] = {
	{ "open", probe_open },     { "unlink", probe_unlink },     { "mkdir", probe_mkdir },
	{ "statfs", probe_statfs }, { "truncate", probe_truncate },
};

int main(int argc, char **argv)
{
	const char *name;
	int err;

	if (argc != 3)
		goto usage;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(argv[1], ops[i].name))
			continue;
		err = ops[i].probe(argv[2]);
		if (err < 0)
			return 2;
		name = err ? strerrorname_np(err) : "ok";
		if (name)
			printf("%s\n", name);
		else
			printf("errno=%d\n", err);
		return 0;
	}
usage:
	fprintf(stderr, "usage: syscall_probe open|unlink|mkdir PATH\n");
	return 2;
}
