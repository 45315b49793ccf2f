/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two kinds of kernel module bpflp loads (the companion module and
 * a patch's livepatch module) share: a libkmod context logging to bpflp's
 * log, the running kernel release, small sysfs and procfs reads.
 */
#ifndef BPFLP_KMOD_UTIL_H
#define BPFLP_KMOD_UTIL_H

/* Room for a module's name and its NUL: the kernel's MODULE_NAME_LEN is 56. */
#define KMOD_NAME_MAX 64

#include <stddef.h>

struct kmod_ctx;

/* A libkmod context whose messages go to bpflp's log (-v); NULL and errno set. */
struct kmod_ctx *kmod_ctx_open(void);

/* One field of a module's .modinfo (the whole value; "" when it has none). */
typedef void (*modinfo_field_fn)(const char *key, const char *value, void *arg);

/*
 * Call field() for each .modinfo field of the module file at path, in
 * ctx; name (when not NULL) gets the module's name. 0, or a negative errno.
 */
int modinfo_walk(struct kmod_ctx *ctx, const char *path, char *name, size_t name_size,
		 modinfo_field_fn field, void *arg);

/* The release a module was built for: vermagic's first word, into buf. */
void vermagic_release(const char *vermagic, char *buf, size_t size);

/* uname -r: 0, or a negative errno. */
int kernel_release(char *release, size_t size);

/* The first line of a small file, without its newline: 0, or -errno. */
int read_first_line(const char *path, char *buf, size_t size);

#endif /* BPFLP_KMOD_UTIL_H */
