/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp's snapshot programs (bpf/snapshot.bpf.c) for many functions from
 * one libbpf load. libbpf resolves a tracing program's target by name
 * against vmlinux's BTF and, for a module's function, every module's BTF,
 * parsed again for each object: nine tenths of an attach when each function
 * had an object of its own. Here libbpf loads the object once (the
 * template); each function then gets its own frozen .rodata and the
 * template's relocated instructions, loaded with the BTF id bpflp already
 * knows.
 */
#ifndef BPFLP_SNAPSHOT_LOADER_H
#define BPFLP_SNAPSHOT_LOADER_H

#include <stdbool.h>
#include <linux/types.h>

struct snapshot_loader;

/* The snapshot programs' constants for one function (bpf/snapshot.bpf.c). */
struct snapshot_target {
	const char *func; /* for messages */
	__u64 func_key;   /* kernel_func.h */
	__u32 slot;
	__u64 gen;
	bool exit_side; /* the patch has an fexit program on func */
};

/* Nothing is loaded until the first snapshot_loader_load(). NULL: errno. */
struct snapshot_loader *snapshot_loader_new(void);
void snapshot_loader_free(struct snapshot_loader *sl);

/*
 * Load the take (fentry) and drop (fexit) programs for t: their fds in
 * *take_fd and *drop_fd, or a negative errno. On the companion route there
 * is no take (take_fd NULL) and the module runs the drop after the
 * replacing program, so it is loaded as fentry.
 */
int snapshot_loader_load(struct snapshot_loader *sl, const struct snapshot_target *t,
			 bool companion, int *take_fd, int *drop_fd);

/* 0 if this kernel loads bpflp's tracing programs; else a negative errno and why. */
int kernel_probe_tracing(char *why, size_t size);

#endif /* BPFLP_SNAPSHOT_LOADER_H */
