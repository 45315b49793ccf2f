// SPDX-License-Identifier: GPL-2.0
/* c-klp@1: reading /proc/cmdline fails with EPERM (cmdline_proc_show, the function bpflp_test_klp patches). */
#include "companion.bpf.h"

BPFLP_PATCH("c-klp", 1);

BPFLP_REPLACE(cmdline_proc_show, struct seq_file *m, void *v)
{
	return -1;
}
