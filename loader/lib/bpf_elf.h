/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A BPF object file's ELF, read with libelf and indexed for the lookups a
 * walk of its programs makes (prog_fingerprint.c): sections by name, sized
 * symbols by section and address, code relocations by offset, CO-RE
 * records (.BTF.ext) by section, and extern declarations by name in the
 * file's own BTF, as its author wrote it (libbpf's copy has its externs
 * rewritten at open).
 */
#ifndef BPFLP_BPF_ELF_H
#define BPFLP_BPF_ELF_H

#include <gelf.h>
#include <bpf/btf.h>

struct bpf_elf_rel {
	GElf_Addr off;
	size_t sym;
	__u32 type;
};

/* A CO-RE record as .BTF.ext stores it (struct bpf_core_relo). */
struct bpf_elf_core_rec {
	__u32 insn_off;
	__u32 type_id;
	__u32 access_str_off;
	__u32 kind;
};

struct bpf_elf_sec {
	const char *name;
	GElf_Shdr shdr;
	const __u8 *bytes;        /* NULL for NOBITS */
	struct bpf_elf_rel *rels; /* of code sections only, sorted by off */
	size_t nr_rels;
	size_t first_sym, nr_syms;     /* its sized symbols in bpf_elf.by_addr */
	struct bpf_elf_core_rec *core; /* its CO-RE records, sorted by insn_off */
	size_t nr_core;
};

struct bpf_elf {
	Elf *elf;
	size_t shnum;
	struct bpf_elf_sec *secs;
	Elf_Data *symtab;
	size_t strtab, nr_syms;
	GElf_Sym *syms;
	size_t *by_addr; /* indexes of sized symbols, by (section, address) */
	size_t nr_by_addr;
	size_t *by_name; /* indexes of named sections, by name */
	size_t nr_by_name;
	__u32 *externs; /* BTF ids of the extern variables and functions, by name */
	size_t nr_externs;
	size_t license_sec; /* 0: none */
	struct btf *btf;    /* the file's .BTF, NULL without one */
};

/*
 * Index the file whose bytes image holds (they must outlive e): 0, or
 * -EINVAL (malformed), -EPROTO (.BTF.ext of another byte order), -ENOMEM;
 * e is then empty.
 */
int bpf_elf_open(struct bpf_elf *e, const void *image, size_t size);
void bpf_elf_close(struct bpf_elf *e);

struct bpf_elf_sec *bpf_elf_sec_by_name(const struct bpf_elf *e, const char *name);
const char *bpf_elf_sym_name(const struct bpf_elf *e, const GElf_Sym *sym);
/* The sized symbol of section sec of type type (any: STT_NOTYPE) covering off, or -1. */
long bpf_elf_covering_sym(const struct bpf_elf *e, size_t sec, GElf_Addr off, int type);
/* The first relocation of sec at or after off (sec->nr_rels if none). */
size_t bpf_elf_first_rel(const struct bpf_elf_sec *sec, GElf_Addr off);
/* The first CO-RE record of sec at or after instruction byte off (sec->nr_core if none). */
size_t bpf_elf_first_core(const struct bpf_elf_sec *sec, GElf_Addr off);
/* The BTF id of the extern declared name, or 0. */
__u32 bpf_elf_extern_type(const struct bpf_elf *e, const char *name);

/*
 * The initial bytes of the variable name in data section sec_name (found
 * by its symbol), if it is exactly size bytes; else NULL. *seen counts
 * every variable of that name met, so a caller searching several sections
 * can refuse a name declared twice.
 */
const void *bpf_elf_data_var(const struct bpf_elf *e, const char *sec_name, const char *name,
			     size_t size, int *seen);

#endif /* BPFLP_BPF_ELF_H */
