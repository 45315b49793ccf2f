/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a BPF program of an object file is, as far as the kernel would run
 * it: one digest of everything in the object that decides its behaviour
 * once loaded, so that two builds of a cumulative patch can be compared
 * program by program without loading either (docs/design.md, "Unchanged").
 *
 * Read from the ELF, not from libbpf's copy of it: the program's bytes;
 * each relocation by what it names rather than where that lies (a variable
 * by its name and initial bytes, a map by its name, definition and the
 * layouts of its key and value, a subprogram by its own digest, an
 * extern by its name, binding and declared type), with the offsets the relocation fills in zeroed, so
 * that code or data added elsewhere in the file moves nothing; calls
 * within a section likewise; its CO-RE records, each by its kind, the whole
 * layout of its type and its access path; its section name (kind and
 * target), program type, load flags and the object's license.
 *
 * Left out on purpose: debug sections, line and function info, symbol and
 * section order, and whatever the loader writes into bpflp's section
 * (.rodata.bpflp) before load: slot, generation and each program's knobs
 * count by name only. A program that reads a BPFLP_STATE declaration is
 * never kept (the loader fills in the previous patch's state).
 */
#ifndef BPFLP_PROG_FINGERPRINT_H
#define BPFLP_PROG_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/libbpf.h>
#include "sha256.h"

/*
 * The program uses writable data (.data, .bss) or a map no later object
 * can share (neither pinned by name nor one the caller says is shared): a
 * reused program would keep its old state, so it never counts as unchanged.
 */
#define PROG_FP_PRIVATE_STATE (1U << 0)
/*
 * Not fingerprinted: the file has something this bpflp does not read (the
 * caller's choice, rather than refusing a file libbpf loads). Never unchanged.
 */
#define PROG_FP_UNKNOWN (1U << 1)

struct prog_fingerprint {
	__u8 digest[SHA256_DIGEST_SIZE];
	__u32 flags; /* PROG_FP_* */
	__u32 pad;
};

/*
 * Is the map of this name (a .maps symbol), or the data section of this
 * name, one the loader shares between objects (it then carries no state of
 * the object's own)?
 */
typedef bool (*fp_shared_fn)(const char *name);

struct fp_object;

/*
 * Index an object file: image holds its bytes and obj is libbpf's open of
 * the same bytes (for map definitions; types come from the file's own
 * BTF); both must outlive the index. NULL with errno set, and why filled, on a malformed file.
 */
struct fp_object *fp_object_open(const void *image, size_t size, const struct bpf_object *obj,
				 fp_shared_fn shared, char *why, size_t why_size);
/* 0 and *fp, or a negative errno with why filled (the program's code is not in the file). */
int fp_program(struct fp_object *fo, const struct bpf_program *prog, struct prog_fingerprint *fp,
	       char *why, size_t why_size);
void fp_object_free(struct fp_object *fo);

/* Same digest, neither one private or unknown: the two programs are the same program. */
bool prog_fingerprint_same(const struct prog_fingerprint *a, const struct prog_fingerprint *b);

#endif /* BPFLP_PROG_FINGERPRINT_H */
