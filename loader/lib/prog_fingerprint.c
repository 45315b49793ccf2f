// SPDX-License-Identifier: GPL-2.0
/*
 * Program fingerprints (prog_fingerprint.h). The file is indexed once
 * (bpf_elf.h) and each subprogram hashed once, so fingerprinting every
 * program of an object is linear in its size (docs/benchmarks.md, run N).
 */
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "bpflp/abi.h"
#include "bpf_elf.h"
#include "btf_digest.h"
#include "prog_fingerprint.h"
#include "util.h"

#define FP_FORMAT       "bpflp-fingerprint-2"
#define BPF_INSN_SIZE   8
#define BPF_LD_IMM64    0x18 /* BPF_LD | BPF_IMM | BPF_DW */
#define BPF_CALL_INSN   0x85 /* BPF_JMP | BPF_CALL */
#define BPF_PSEUDO_CALL 1    /* its src_reg: a BPF-to-BPF call, not a helper */
#define R_BPF_64_64     1    /* ld_imm64: a map, data or function address */

struct fp_object {
	struct bpf_elf e;
	const struct bpf_object *obj; /* libbpf's open of the same file: map definitions */
	fp_shared_fn shared;
	/*
	 * Each subprogram's own digest, computed once for the whole object:
	 * by function symbol, then one per section (code no symbol covers).
	 * Every program calls bpflp's gate subprograms.
	 */
	struct fp_memo {
		__u8 state; /* MEMO_* */
		__u32 flags;
		__u8 digest[SHA256_DIGEST_SIZE];
	} * memo;
	/* Each read-only data section's bytes, hashed once (hash_data). */
	struct fp_data_memo {
		bool done;
		__u8 digest[SHA256_DIGEST_SIZE];
	} * data_memo;
	struct btf_digests *types; /* the layouts of the object's BTF types, each made once */
	__u32 flags;               /* PROG_FP_* of what is being hashed */
};

enum {
	MEMO_NONE,
	MEMO_BUSY,
	MEMO_DONE
};

static int fail(char *why, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return -err;
}

struct fp_object *fp_object_open(const void *image, size_t size, const struct bpf_object *obj,
				 fp_shared_fn shared, char *why, size_t why_size)
{
	struct fp_object *fo = calloc(1, sizeof(*fo));
	int err = fo ? bpf_elf_open(&fo->e, image, size) : -ENOMEM;

	if (!err) {
		fo->obj = obj;
		fo->shared = shared;
		fo->memo = calloc(fo->e.nr_syms + fo->e.shnum, sizeof(*fo->memo));
		fo->data_memo = calloc(fo->e.shnum ?: 1, sizeof(*fo->data_memo));
		fo->types = btf_digests_new(fo->e.btf);
		if (fo->memo && fo->data_memo && fo->types)
			return fo;
		err = -ENOMEM;
	}
	snprintf(why, why_size, "%s",
		 err == -ENOMEM ? "out of memory" :
		 err == -EPROTO ? "its .BTF.ext is of another byte order" :
				  "malformed ELF (sections, symbols or relocations)");
	fp_object_free(fo);
	errno = -err;
	return NULL;
}

void fp_object_free(struct fp_object *fo)
{
	if (!fo)
		return;
	bpf_elf_close(&fo->e);
	free(fo->memo);
	free(fo->data_memo);
	btf_digests_free(fo->types);
	free(fo);
}

static void hash_str(struct sha256_ctx *h, const char *s)
{
	sha256_update(h, s, strlen(s) + 1); /* with its NUL: "ab","c" is not "a","bc" */
}

static void hash_u64(struct sha256_ctx *h, __u64 v)
{
	sha256_update(h, &v, sizeof(v));
}

static int hash_range(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx, GElf_Addr start,
		      GElf_Addr end);

/*
 * A subprogram (or a function's address): named, and hashed by its own
 * digest, made once per object. A call back into a subprogram whose digest
 * is being made (a loop in the call graph, which the verifier refuses
 * anyway) is named and not followed.
 */
static int hash_code_target(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx,
			    GElf_Addr target)
{
	long s = bpf_elf_covering_sym(&fo->e, sec_idx, target, STT_FUNC);
	GElf_Addr start = s >= 0 ? fo->e.syms[s].st_value : 0;
	GElf_Addr end = s >= 0 ? start + fo->e.syms[s].st_size : fo->e.secs[sec_idx].shdr.sh_size;
	/* No function symbol covers it: the whole section stands for it. */
	struct fp_memo *memo = &fo->memo[s >= 0 ? (size_t)s : fo->e.nr_syms + sec_idx];
	const char *name =
		s >= 0 ? bpf_elf_sym_name(&fo->e, &fo->e.syms[s]) : fo->e.secs[sec_idx].name;
	__u32 caller_flags = fo->flags;
	struct sha256_ctx sub;
	int err;

	hash_str(h, name ?: "");
	hash_u64(h, target - start);
	if (memo->state == MEMO_BUSY)
		return 0;
	if (memo->state == MEMO_NONE) {
		err = sha256_init(&sub);
		if (err)
			return err;
		memo->state = MEMO_BUSY;
		fo->flags = 0;
		err = hash_range(fo, &sub, sec_idx, start, end);
		memo->flags = fo->flags;
		fo->flags = caller_flags;
		err = sha256_final(&sub, memo->digest) ?: err;
		memo->state = err ? MEMO_NONE : MEMO_DONE;
		if (err)
			return err;
	}
	fo->flags |= memo->flags;
	sha256_update(h, memo->digest, sizeof(memo->digest));
	return 0;
}

/* A map: its name and definition, and whether another object can share it. */
static int hash_map(struct fp_object *fo, struct sha256_ctx *h, const char *name)
{
	const struct bpf_map *map = bpf_object__find_map_by_name(fo->obj, name);

	hash_str(h, "map");
	hash_str(h, name);
	if (!map) {
		fo->flags |= PROG_FP_PRIVATE_STATE; /* not one libbpf knows: assume the worst */
		return 0;
	}
	hash_u64(h, bpf_map__type(map));
	hash_u64(h, bpf_map__key_size(map));
	hash_u64(h, bpf_map__value_size(map));
	hash_u64(h, bpf_map__max_entries(map));
	hash_u64(h, bpf_map__map_flags(map));
	hash_u64(h, bpf_map__pin_path(map) != NULL);
	/*
	 * The layouts of its key and value: a shadow whose layout changes is
	 * migrated into a new map, which a kept program would not use.
	 */
	if (!bpf_map__pin_path(map) && !(fo->shared && fo->shared(name)))
		fo->flags |= PROG_FP_PRIVATE_STATE;
	return btf_digests_hash(fo->types, bpf_map__btf_key_type_id(map), h) ?:
		       btf_digests_hash(fo->types, bpf_map__btf_value_type_id(map), h);
}

/* A section libbpf makes a writable map of: it goes by the name, not the ELF flags. */
static bool writable_section(const struct bpf_elf_sec *sec)
{
	static const char *const writable[] = { ".data", ".bss" };
	const char *name = sec->name ?: "";

	if (sec->shdr.sh_flags & SHF_WRITE)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(writable); i++) {
		size_t len = strlen(writable[i]);

		if (!strncmp(name, writable[i], len) && (!name[len] || name[len] == '.'))
			return true;
	}
	return false;
}

/* All of a read-only data section's bytes, into h: their digest, made once per object. */
static int hash_section(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx)
{
	const struct bpf_elf_sec *sec = &fo->e.secs[sec_idx];
	struct fp_data_memo *memo = &fo->data_memo[sec_idx];
	struct sha256_ctx bytes;
	int err;

	if (!memo->done) {
		err = sha256_init(&bytes);
		if (err)
			return err;
		hash_u64(&bytes, sec->shdr.sh_size);
		if (sec->bytes)
			sha256_update(&bytes, sec->bytes, sec->shdr.sh_size);
		err = sha256_final(&bytes, memo->digest);
		if (err)
			return err;
		memo->done = true;
	}
	sha256_update(h, memo->digest, sizeof(memo->digest));
	return 0;
}

/* Variable s's initial bytes, when it lies within its section. */
static void hash_var_bytes(struct fp_object *fo, struct sha256_ctx *h,
			   const struct bpf_elf_sec *sec, long s)
{
	const GElf_Sym *sym = &fo->e.syms[s];

	if (sec->bytes && sym->st_value + sym->st_size <= sec->shdr.sh_size)
		sha256_update(h, sec->bytes + sym->st_value, sym->st_size);
}

/* What bpflp's loader writes into each program before load: not the author's (design.md). */
static const char *const loader_knobs[] = {
	"bpflp_slot",  "bpflp_gen",        "bpflp_fid_",   "bpflp_idx_",
	"bpflp_snap_", "bpflp_companion_", "bpflp_proto_",
};

/*
 * A variable of bpflp's own section: what the loader writes counts by
 * name only; a BPFLP_STATE declaration makes the program one that is never
 * kept (the loader fills in the previous patch's state from the active set
 * when it loads, so a kept program would keep another's); anything else
 * there (the patch's identity, its livepatch module, an author's variable
 * put there) by its bytes.
 */
static int hash_knob(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx, long s)
{
	const char *name = s >= 0 ? bpf_elf_sym_name(&fo->e, &fo->e.syms[s]) : NULL;

	for (size_t i = 0; name && i < ARRAY_SIZE(loader_knobs); i++) {
		size_t len = strlen(loader_knobs[i]);

		if (!strncmp(name, loader_knobs[i], len) &&
		    (loader_knobs[i][len - 1] == '_' || !name[len]))
			return 0;
	}
	if (name && !strncmp(name, "bpflp_sysstate_", strlen("bpflp_sysstate_"))) {
		fo->flags |= PROG_FP_PRIVATE_STATE;
		return 0;
	}
	if (s < 0)
		return hash_section(fo, h, sec_idx);
	hash_var_bytes(fo, h, &fo->e.secs[sec_idx], s);
	return 0;
}

/*
 * Data: the variable the address falls in and where in it, and what the
 * program can read there. A read-only section becomes one map, and the
 * verifier lets a program read any byte of it, not only the variable a
 * relocation names (an index past its end reads the next one): all of
 * the section's bytes count. bpflp's own section is hash_knob's: its
 * layout follows the number of programs in the object, and most of it is
 * what the loader writes. A writable section is state of the object's own.
 */
static int hash_data(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx, GElf_Addr off)
{
	const struct bpf_elf_sec *sec = &fo->e.secs[sec_idx];
	long s = bpf_elf_covering_sym(&fo->e, sec_idx, off, STT_OBJECT);
	GElf_Addr start = s >= 0 ? fo->e.syms[s].st_value : 0;

	hash_str(h, "data");
	hash_str(h, sec->name ?: "");
	hash_str(h, s >= 0 ? bpf_elf_sym_name(&fo->e, &fo->e.syms[s]) : "");
	hash_u64(h, off - start);
	if (sec->name && !strcmp(sec->name, BPFLP_KNOB_SECTION))
		return hash_knob(fo, h, sec_idx, s);
	if (writable_section(sec)) {
		if (!(fo->shared && fo->shared(sec->name ?: "")))
			fo->flags |= PROG_FP_PRIVATE_STATE;
		if (s >= 0)
			hash_var_bytes(fo, h, sec, s);
		return 0;
	}
	return hash_section(fo, h, sec_idx);
}

/* What relocation r of the code at insn names, by name and content, never by place. */
static int hash_reloc(struct fp_object *fo, struct sha256_ctx *h, const struct bpf_elf_rel *r,
		      const __u8 *insn)
{
	const GElf_Sym *sym = r->sym < fo->e.nr_syms ? &fo->e.syms[r->sym] : NULL;
	size_t target_sec;
	__s32 imm;

	hash_u64(h, r->type);
	if (!sym)
		return -EINVAL;
	memcpy(&imm, insn + 4, sizeof(imm));
	target_sec = sym->st_shndx;
	if (target_sec == SHN_UNDEF || target_sec >= fo->e.shnum) {
		/*
		 * A kfunc, ksym or kconfig value: resolved by name, and read as
		 * declared (libbpf stores a kconfig 'y' as 1 in a bool, as 'y'
		 * in a char); weak, it may be missing.
		 */
		hash_str(h, "extern");
		hash_str(h, bpf_elf_sym_name(&fo->e, sym));
		hash_u64(h, GELF_ST_BIND(sym->st_info));
		hash_u64(h, GELF_ST_TYPE(sym->st_info));
		return btf_digests_hash(fo->types,
					bpf_elf_extern_type(&fo->e, bpf_elf_sym_name(&fo->e, sym)),
					h);
	}
	if (fo->e.secs[target_sec].name && !strcmp(fo->e.secs[target_sec].name, ".maps"))
		return hash_map(fo, h, bpf_elf_sym_name(&fo->e, sym));
	if (fo->e.secs[target_sec].shdr.sh_flags & SHF_EXECINSTR) {
		/* As libbpf reads them: a call's imm counts instructions after it, an address's bytes. */
		GElf_Addr target = insn[0] == BPF_CALL_INSN ?
					   sym->st_value + ((__s64)imm + 1) * BPF_INSN_SIZE :
					   sym->st_value + imm;
		return hash_code_target(fo, h, target_sec, target);
	}
	return hash_data(fo, h, target_sec, sym->st_value + imm);
}

/*
 * A CO-RE record by what it means: its kind, the whole layout of its local
 * type (so the access path's indexes name the same members, at every
 * level), and the access path.
 */
static int hash_core_rec(struct fp_object *fo, struct sha256_ctx *h,
			 const struct bpf_elf_core_rec *c, GElf_Addr start)
{
	const char *access = btf__name_by_offset(fo->e.btf, c->access_str_off);

	hash_u64(h, c->insn_off - start);
	hash_u64(h, c->kind);
	hash_str(h, access ?: "");
	return btf_digests_hash(fo->types, c->type_id, h);
}

/*
 * Is the instruction at off a BPF-to-BPF call within its own section? Such
 * a call has no relocation (clang resolves it, pc-relative, as it does
 * between two functions of .text): its offset moves with the layout, and
 * its callee is part of what the caller does.
 */
static bool local_call(const struct bpf_elf_sec *sec, GElf_Addr off, GElf_Addr *target)
{
	const __u8 *insn = sec->bytes + off;
	size_t r;
	__s32 imm;

	if (insn[0] != BPF_CALL_INSN || insn[1] >> 4 != BPF_PSEUDO_CALL)
		return false;
	r = bpf_elf_first_rel(sec, off);
	if (r < sec->nr_rels && sec->rels[r].off == off)
		return false; /* relocated: hash_reloc names it */
	memcpy(&imm, insn + 4, sizeof(imm));
	*target = off + ((__s64)imm + 1) * BPF_INSN_SIZE;
	return true;
}

/* The size of the instruction at off: ld_imm64 takes two slots. */
static GElf_Addr insn_size(const struct bpf_elf_sec *sec, GElf_Addr off)
{
	return sec->bytes[off] == BPF_LD_IMM64 ? 2 * BPF_INSN_SIZE : BPF_INSN_SIZE;
}

static int hash_range(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx, GElf_Addr start,
		      GElf_Addr end)
{
	const struct bpf_elf_sec *sec = &fo->e.secs[sec_idx];
	size_t lo = bpf_elf_first_rel(sec, start);
	GElf_Addr target;
	__u8 *code;
	int err = 0;

	if (!sec->bytes || end > sec->shdr.sh_size || start > end)
		return -EINVAL;
	code = malloc(end - start ?: 1);
	if (!code)
		return -ENOMEM;
	memcpy(code, sec->bytes + start, end - start);
	/* Zero what the relocations and local calls fill in (places, not meanings), then hash the code. */
	for (size_t i = lo; i < sec->nr_rels && sec->rels[i].off < end; i++) {
		GElf_Addr at = sec->rels[i].off - start;

		if (at + BPF_INSN_SIZE <= end - start)
			memset(code + at + 4, 0, 4);
		if (sec->rels[i].type == R_BPF_64_64 && at + 2 * BPF_INSN_SIZE <= end - start)
			memset(code + at + BPF_INSN_SIZE + 4, 0, 4);
	}
	for (GElf_Addr off = start; off + BPF_INSN_SIZE <= end; off += insn_size(sec, off))
		if (local_call(sec, off, &target))
			memset(code + (off - start) + 4, 0, 4);
	hash_u64(h, end - start);
	sha256_update(h, code, end - start);
	free(code);
	for (size_t i = lo; i < sec->nr_rels && sec->rels[i].off < end && !err; i++) {
		if (sec->rels[i].off + BPF_INSN_SIZE > end)
			return -EINVAL;
		hash_u64(h, sec->rels[i].off - start);
		err = hash_reloc(fo, h, &sec->rels[i], sec->bytes + sec->rels[i].off);
	}
	for (GElf_Addr off = start; off + BPF_INSN_SIZE <= end && !err; off += insn_size(sec, off)) {
		if (!local_call(sec, off, &target))
			continue;
		if (target >= sec->shdr.sh_size)
			return -EINVAL;
		hash_u64(h, off - start);
		err = hash_code_target(fo, h, sec_idx, target);
	}
	for (size_t i = bpf_elf_first_core(sec, start); i < sec->nr_core && !err; i++) {
		if (sec->core[i].insn_off >= end)
			break;
		err = hash_core_rec(fo, h, &sec->core[i], start);
	}
	return err;
}

int fp_program(struct fp_object *fo, const struct bpf_program *prog, struct prog_fingerprint *fp,
	       char *why, size_t why_size)
{
	const char *sec_name = bpf_program__section_name(prog);
	const char *name = bpf_program__name(prog);
	struct bpf_elf_sec *sec = bpf_elf_sec_by_name(&fo->e, sec_name);
	struct sha256_ctx h;
	long s = -1;
	int err;

	memset(fp, 0, sizeof(*fp));
	for (size_t i = 0; sec && i < sec->nr_syms && s < 0; i++) {
		size_t idx = fo->e.by_addr[sec->first_sym + i];

		if (GELF_ST_TYPE(fo->e.syms[idx].st_info) == STT_FUNC &&
		    !strcmp(bpf_elf_sym_name(&fo->e, &fo->e.syms[idx]), name))
			s = (long)idx;
	}
	if (s < 0)
		return fail(why, why_size, ENOENT,
			    "program %s has no function symbol in section %s", name, sec_name);
	err = sha256_init(&h);
	if (err)
		return fail(why, why_size, -err, "out of memory");
	fo->flags = 0;
	hash_str(&h, FP_FORMAT);
	hash_str(&h, sec_name);
	hash_u64(&h, bpf_program__type(prog));
	hash_u64(&h, bpf_program__expected_attach_type(prog));
	hash_u64(&h, bpf_program__flags(prog));
	if (fo->e.license_sec)
		sha256_update(&h, fo->e.secs[fo->e.license_sec].bytes,
			      fo->e.secs[fo->e.license_sec].shdr.sh_size);
	err = hash_range(fo, &h, (size_t)(sec - fo->e.secs), fo->e.syms[s].st_value,
			 fo->e.syms[s].st_value + fo->e.syms[s].st_size);
	/* Even after an error: it frees the context. */
	err = sha256_final(&h, fp->digest) ?: err;
	fp->flags = fo->flags;
	if (err)
		return fail(why, why_size, -err,
			    err == -ENOMEM ?
				    "out of memory" :
			    err == -ELOOP ?
				    "program %s uses a type nested more than %d deep, or containing itself" :
				    "program %s: a relocation outside its code or naming no symbol",
			    name, BTF_DIGEST_DEPTH);
	return 0;
}

bool prog_fingerprint_same(const struct prog_fingerprint *a, const struct prog_fingerprint *b)
{
	return !((a->flags | b->flags) & (PROG_FP_PRIVATE_STATE | PROG_FP_UNKNOWN)) &&
	       !memcmp(a->digest, b->digest, sizeof(a->digest));
}
