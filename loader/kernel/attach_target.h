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

#include <linux/types.h>

/*
 * Register the handlers, once per process, before a patch object opens
 * (libbpf picks a program's handler at open and calls it at load). They
 * stay registered: a program keeps a pointer to its handler. Failing to
 * register is not an error: libbpf's own lookup then does the work.
 */
void attach_target_handlers(void);

/* The section of bpflp's dispatch stub (bpf/dispatch.bpf.c), whose target is given by id. */
#define ATTACH_TARGET_STUB_SEC "bpflp.stub.fmod_ret"

/*
 * The target of the next dispatch stub to load (dispatch_stub.c): 0, or
 * -EOPNOTSUPP when its handler could not be registered.
 */
int attach_target_stub(__u32 btf_id, int btf_obj_fd);

/*
 * libbpf 1.1 reads and parses vmlinux's BTF (4.4 MB on Debian's 6.1, read
 * 4 KiB at a time from sysfs) at load for any object with a tracing
 * program that does not attach to another BPF program, even one whose
 * handler gives the target itself (prog_needs_vmlinux_btf). A program
 * marked here looks to that check like one attaching to a BPF program; its
 * handler, bpflp's, clears the mark before the kernel sees it. An object
 * with CO-RE relocations or typed ksyms still has the BTF loaded, as it
 * needs. Call after open, before load.
 */
void attach_target_skip_vmlinux_btf(struct bpf_program *prog);
/* The same for each of obj's programs a handler above loads. */
void attach_target_skip_vmlinux_btf_all(struct bpf_object *obj);

#endif /* BPFLP_ATTACH_TARGET_H */
