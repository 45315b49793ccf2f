/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel function by name, in vmlinux or in a loaded module, as bpflp
 * keys it: the gate, the snapshot entries, bpflp_cover and the records
 * all name a function by one 64-bit key.
 */
#ifndef BPFLP_KERNEL_FUNC_H
#define BPFLP_KERNEL_FUNC_H

#include <linux/types.h>
#include "kernel.h"
#include "kmod_util.h"

struct btf;

struct kernel_func {
	__u64 key; /* kernel_func_key() (kernel.h) */
	int btf_id;
	const struct btf *btf;      /* where it is described; lives as long as the process */
	char module[KMOD_NAME_MAX]; /* "" for vmlinux */
};

/*
 * Find func in vmlinux's BTF, else in a loaded module's: 0 and *kf,
 * -ENOENT when no BTF has it, another negative errno when BTF is unreadable.
 */
int kernel_func_find(const char *func, struct kernel_func *kf);

/*
 * The BTF object a key from kernel_func_find() names, as bpf_prog_load()
 * wants it: 0 for vmlinux, else an fd bpflp keeps open (do not close it),
 * or -ENOENT.
 */
int kernel_func_btf_obj_fd(__u64 key);

#endif /* BPFLP_KERNEL_FUNC_H */
