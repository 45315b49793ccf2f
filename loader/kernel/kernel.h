/* SPDX-License-Identifier: GPL-2.0 */
/* What the running kernel offers: functions and what may be modified. */
#ifndef BPFLP_KERNEL_H
#define BPFLP_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct btf;
/* vmlinux's BTF, loaded once per process (NULL and errno set on failure). */
const struct btf *kernel_btf(void);

/*
 * The 64-bit key bpflp names a kernel function by (the gate, the snapshot
 * entries, bpflp_cover, the records): vmlinux's BTF id alone; for a
 * module, its BTF object's id in the high 32 bits and the BTF id in the
 * low ones (module BTF ids continue vmlinux's numbering, so two modules
 * can use the same one). kernel_func_find() (kernel_func.h) makes them.
 */
static inline __u64 kernel_func_key(__u32 btf_obj_id, __u32 btf_id)
{
	return (__u64)btf_obj_id << 32 | btf_id;
}

/* The id of the BTF object a key's function is described in; 0 for vmlinux. */
static inline __u32 kernel_func_key_obj(__u64 key)
{
	return key >> 32;
}

/* BTF id of a vmlinux function, or -ENOENT; other negative errno on failure. */
int kernel_func_btf_id(const char *func);

/*
 * Can ftrace attach to the function func (is it listed in
 * available_filter_functions)? 1 yes, 0 no (notrace, inlined, init-only),
 * negative errno when no list is readable (then nobody knows: try).
 */
int kernel_func_traceable(const char *func);
/* The list kernel_func_traceable reads (or would read). */
const char *kernel_traceable_source(void);

/* May fmod_ret replace func here? security_* hooks or error-injection functions. */
bool kernel_func_modifiable(const char *func);

/*
 * The kernel's limit of BPF links on one function's trampoline, fentry,
 * fexit and fmod_ret together (BPF_MAX_TRAMP_LINKS on x86-64).
 */
#define KERNEL_MAX_TRAMP_LINKS 38

/* For each function (kernel_func.h key), the tracing links attached to it now, whoever made them. */
int kernel_count_tramp_links(const __u64 *keys, int nr, int *counts);

/* 0 if this process may load and attach tracing programs, else -EPERM with a message. */
int kernel_require_caps(void);
/* The same, quietly. */
bool kernel_have_caps(void);

struct trampoline_limit;
/*
 * Argument registers this kernel's BPF trampolines take: probed once per
 * process (as root: one empty fentry program attached and detached),
 * else assumed from the kernel release (-v says why).
 */
const struct trampoline_limit *kernel_trampoline_limit(void);

#endif /* BPFLP_KERNEL_H */
