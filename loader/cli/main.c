// SPDX-License-Identifier: GPL-2.0
/* bpflp: live-patch the running kernel with cumulative BPF patches. */
#include "commands.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
