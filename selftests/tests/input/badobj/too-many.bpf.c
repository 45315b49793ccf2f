// SPDX-License-Identifier: GPL-2.0
/*
 * 1025 programs: one more than BPFLP_MAX_FUNCS (1024). bpflp counts them
 * before it looks up a single target, so the names need not exist.
 */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("too-many", 1);

#define WATCH(n)                                                                                   \
	BPFLP_FENTRY(bpflp_no_such_function_##n)                                                   \
	{                                                                                          \
		return 0;                                                                          \
	}
#define WATCH4(n)   WATCH(n##0) WATCH(n##1) WATCH(n##2) WATCH(n##3)
#define WATCH16(n)  WATCH4(n##0) WATCH4(n##1) WATCH4(n##2) WATCH4(n##3)
#define WATCH64(n)  WATCH16(n##0) WATCH16(n##1) WATCH16(n##2) WATCH16(n##3)
#define WATCH256(n) WATCH64(n##0) WATCH64(n##1) WATCH64(n##2) WATCH64(n##3)

WATCH256(0)
WATCH256(1)
WATCH256(2)
WATCH256(3)
WATCH(extra)
