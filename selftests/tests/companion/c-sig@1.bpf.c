// SPDX-License-Identifier: GPL-2.0
/*
 * c-sig@1: the companion route on a function with a signed argument
 * (59_companion_signed_arg.sh). do_unlinkat(int dfd, ...) fails unlink of
 * a relative name starting with "bpflp-c-u", with an errno that depends on
 * the sign of dfd: EDQUOT for AT_FDCWD (-100, unlink()), EROFS for a
 * directory's descriptor (unlinkat()). Kernels since 6.3 flag such an int
 * BTF_FMODEL_SIGNED_ARG, which the module once refused.
 */
#include "companion.bpf.h"

#define EROFS  30
#define EDQUOT 122

BPFLP_PATCH("c-sig", 1);

/* Does the path name as the caller passed it start with "bpflp-c-u"? */
static __always_inline bool c_unlink_tagged(struct filename *name)
{
	const char *tag = "bpflp-c-u";
	char buf[TAG_PREFIX_LEN + 2] = {};

	if (bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(name, name)) < (long)sizeof(buf))
		return false;
#pragma unroll
	for (int i = 0; i <= TAG_PREFIX_LEN; i++)
		if (buf[i] != tag[i])
			return false;
	return true;
}

BPFLP_REPLACE(do_unlinkat, int dfd, struct filename *name)
{
	if (!c_unlink_tagged(name))
		return 0;
	return dfd < 0 ? -EDQUOT : -EROFS;
}
