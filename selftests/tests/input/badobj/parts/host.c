// SPDX-License-Identifier: GPL-2.0
/* Built with the host compiler: an ELF object for the wrong machine. */
int bpflp_host_object(void)
{
	return 0;
}
