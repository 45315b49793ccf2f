// SPDX-License-Identifier: GPL-2.0
/*
 * call_loop PATH: one long-lived process that opens PATH on command, so a
 * test can keep the same task (and the same kernel stack depth) calling a
 * patched function across bpflp transactions. Reads lines "N" from stdin;
 * for each it opens (and closes) PATH N times and prints one line with the
 * outcomes, "ok=A EPERM=B EACCES=C other=D". Ends at end of input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long ok, eperm, eacces, other, n;
	char line[64];

	if (argc != 2) {
		fprintf(stderr, "usage: call_loop PATH\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		n = strtoul(line, NULL, 10);
		ok = eperm = eacces = other = 0;
		for (unsigned long i = 0; i < n; i++) {
			int fd = open(argv[1], O_RDONLY | O_CLOEXEC);

			if (fd >= 0) {
				close(fd);
				ok++;
			} else if (errno == EPERM) {
				eperm++;
			} else if (errno == EACCES) {
				eacces++;
			} else {
				other++;
			}
		}
		printf("ok=%lu EPERM=%lu EACCES=%lu other=%lu\n", ok, eperm, eacces, other);
	}
	return 0;
}
