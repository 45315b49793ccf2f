/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel function a patch program attaches to, found by bpflp instead
 * of libbpf. At load, libbpf looks each fentry/fexit/fmod_ret program's
 * target up by name: a scan of vmlinux's BTF and, for a module's function,
 * of every module's BTF (each starting over from vmlinux's types), which
 * dominated large loads (docs/benchmarks.md). bpflp already knows each
 * target (kernel_func.c, indexed): handlers for "fentry/", "fexit/" and
 * "fmod_ret/" stand in for libbpf's own, with the same program and attach
 * types, and give the kernel the BTF id and object straight away.
 */
#ifndef BPFLP_ATTACH_TARGET_H
#define BPFLP_ATTACH_TARGET_H

/*
 * Register the handlers, once per process, before a patch object opens
 * (libbpf picks a program's handler at open and calls it at load). They
 * stay registered: a program keeps a pointer to its handler. Failing to
 * register is not an error: libbpf's own lookup then does the work.
 */
void attach_target_handlers(void);

#endif /* BPFLP_ATTACH_TARGET_H */
