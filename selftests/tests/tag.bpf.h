/* SPDX-License-Identifier: GPL-2.0 */
/* Test patches act only on files whose names start with their tag. */
#ifndef BPFLP_T_TAG_BPF_H
#define BPFLP_T_TAG_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#define TAG_PREFIX_LEN 8 /* "bpflp-t-", "bpflp-c-" */

/* The letter after prefix (TAG_PREFIX_LEN characters) in the dentry's name, or 0. */
static __always_inline char dentry_tag(struct dentry *dentry, const char *prefix)
{
	char buf[TAG_PREFIX_LEN + 2] = {};
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);

	if (bpf_probe_read_kernel_str(buf, sizeof(buf), name) < (long)sizeof(buf))
		return 0;
#pragma unroll
	for (int i = 0; i < TAG_PREFIX_LEN; i++)
		if (buf[i] != prefix[i])
			return 0;
	return buf[TAG_PREFIX_LEN];
}

#endif /* BPFLP_T_TAG_BPF_H */
