// SPDX-License-Identifier: GPL-2.0
/*
 * Program fingerprints (prog_fingerprint.h). The file is indexed once
 * (symbols by section and address, relocations by section and offset,
 * CO-RE records by section), so fingerprinting every program of an object
 * is linear in its size: a cumulative patch of 1000 functions is opened in
 * O(N) (docs/benchmarks.md, run M).
 */
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_digest.h"
#include "prog_fingerprint.h"

#define FP_FORMAT       "bpflp-fingerprint-1"
#define BPF_INSN_SIZE   8
#define BPF_LD_IMM64    0x18 /* BPF_LD | BPF_IMM | BPF_DW */
#define BPF_CALL_INSN   0x85 /* BPF_JMP | BPF_CALL */
#define BPF_PSEUDO_CALL 1    /* its src_reg: a BPF-to-BPF call, not a helper */
#define R_BPF_64_64     1    /* ld_imm64: a map, data or function address */
#define R_BPF_64_32     10   /* call: a subprogram */
#define BTF_EXT_MAGIC   0xeB9F

struct fp_rel {
	GElf_Addr off;
	size_t sym;
	__u32 type;
};

/* A CO-RE record as .BTF.ext stores it (struct bpf_core_relo). */
struct fp_core_rec {
	__u32 insn_off;
	__u32 type_id;
	__u32 access_str_off;
	__u32 kind;
};

struct fp_sec {
	const char *name;
	GElf_Shdr shdr;
	const __u8 *bytes;   /* NULL for NOBITS */
	struct fp_rel *rels; /* sorted by off */
	size_t nr_rels;
	size_t first_sym, nr_syms; /* its sized symbols in fp_object.by_addr */
	const struct fp_core_rec *core;
	size_t nr_core;
};

struct fp_object {
	Elf *elf;
	size_t shnum;
	struct fp_sec *secs;
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
	const struct bpf_object *obj;
	/*
	 * The file's own BTF, as its author wrote it: libbpf's copy has its
	 * extern declarations rewritten at open (a kconfig bool is no longer
	 * told from a char there).
	 */
	struct btf *btf;
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
	__u32 flags; /* PROG_FP_* of what is being hashed */
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

static const GElf_Sym *sym_at(const struct fp_object *fo, size_t i)
{
	return i < fo->nr_syms ? &fo->syms[i] : NULL;
}

static const char *sym_name(const struct fp_object *fo, const GElf_Sym *sym)
{
	const char *name = elf_strptr(fo->elf, fo->strtab, sym->st_name);

	return name ?: "";
}

static int cmp_rel(const void *a, const void *b)
{
	const struct fp_rel *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_by_addr(const void *a, const void *b, void *ctx)
{
	const struct fp_object *fo = ctx;
	const GElf_Sym *x = &fo->syms[*(const size_t *)a];
	const GElf_Sym *y = &fo->syms[*(const size_t *)b];

	if (x->st_shndx != y->st_shndx)
		return x->st_shndx < y->st_shndx ? -1 : 1;
	return x->st_value < y->st_value ? -1 : x->st_value > y->st_value;
}

static int read_symbols(struct fp_object *fo, size_t symtab_sec)
{
	GElf_Shdr *sh = &fo->secs[symtab_sec].shdr;

	fo->symtab = elf_getdata(elf_getscn(fo->elf, symtab_sec), NULL);
	if (!fo->symtab || !sh->sh_entsize)
		return -EINVAL;
	fo->strtab = sh->sh_link;
	fo->nr_syms = sh->sh_size / sh->sh_entsize;
	fo->syms = calloc(fo->nr_syms ?: 1, sizeof(*fo->syms));
	fo->by_addr = calloc(fo->nr_syms ?: 1, sizeof(*fo->by_addr));
	if (!fo->syms || !fo->by_addr)
		return -ENOMEM;
	for (size_t i = 0; i < fo->nr_syms; i++) {
		GElf_Sym *s = &fo->syms[i];

		if (!gelf_getsym(fo->symtab, i, s))
			return -EINVAL;
		if (s->st_size && s->st_shndx > 0 && s->st_shndx < fo->shnum)
			fo->by_addr[fo->nr_by_addr++] = i;
	}
	qsort_r(fo->by_addr, fo->nr_by_addr, sizeof(*fo->by_addr), cmp_by_addr, fo);
	for (size_t i = fo->nr_by_addr; i-- > 0;) {
		struct fp_sec *sec = &fo->secs[fo->syms[fo->by_addr[i]].st_shndx];

		sec->first_sym = i;
		sec->nr_syms++;
	}
	return 0;
}

static int read_relocations(struct fp_object *fo, size_t rel_sec)
{
	const GElf_Shdr *sh = &fo->secs[rel_sec].shdr;
	Elf_Data *data = elf_getdata(elf_getscn(fo->elf, rel_sec), NULL);
	struct fp_sec *target;
	struct fp_rel *rels;
	size_t n;

	if (sh->sh_info >= fo->shnum || !data || !sh->sh_entsize)
		return -EINVAL;
	target = &fo->secs[sh->sh_info];
	if (!(target->shdr.sh_flags & SHF_EXECINSTR))
		return 0; /* only code is fingerprinted */
	n = sh->sh_size / sh->sh_entsize;
	/* Appended: a second relocation section for the same code adds to the first. */
	rels = realloc(target->rels, (target->nr_rels + n + 1) * sizeof(*rels));
	if (!rels)
		return -ENOMEM;
	target->rels = rels;
	for (size_t i = 0; i < n; i++) {
		GElf_Rel rel;

		if (!gelf_getrel(data, i, &rel))
			return -EINVAL;
		rels[target->nr_rels++] = (struct fp_rel){ .off = rel.r_offset,
							   .sym = GELF_R_SYM(rel.r_info),
							   .type = GELF_R_TYPE(rel.r_info) };
	}
	qsort(rels, target->nr_rels, sizeof(*rels), cmp_rel);
	return 0;
}

static int cmp_sec_name(const void *a, const void *b, void *ctx)
{
	const struct fp_object *fo = ctx;

	return strcmp(fo->secs[*(const size_t *)a].name, fo->secs[*(const size_t *)b].name);
}

/* One program per section, so a program is found in log time (a patch may have 1000). */
static int index_sections(struct fp_object *fo)
{
	fo->by_name = calloc(fo->shnum ?: 1, sizeof(*fo->by_name));
	if (!fo->by_name)
		return -ENOMEM;
	for (size_t i = 1; i < fo->shnum; i++)
		if (fo->secs[i].name)
			fo->by_name[fo->nr_by_name++] = i;
	qsort_r(fo->by_name, fo->nr_by_name, sizeof(*fo->by_name), cmp_sec_name, fo);
	return 0;
}

static struct fp_sec *sec_by_name(struct fp_object *fo, const char *name)
{
	size_t lo = 0, hi = fo->nr_by_name;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(fo->secs[fo->by_name[mid]].name, name);

		if (!c)
			return &fo->secs[fo->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The CO-RE records of .BTF.ext, by section. Sections are looked up by name
 * once per record block, not per program: a block names its code section.
 */
static int read_core_records(struct fp_object *fo, const struct fp_sec *ext)
{
	const __u8 *p = ext->bytes, *end;
	__u32 hdr_len, off, len, rec_size;

	if (!p || ext->shdr.sh_size < 8)
		return 0;
	if (*(const __u16 *)p != BTF_EXT_MAGIC)
		return -EPROTO;
	hdr_len = *(const __u32 *)(p + 4);
	if (hdr_len < 32 || hdr_len > ext->shdr.sh_size)
		return 0; /* a header without the CO-RE part: no records */
	off = *(const __u32 *)(p + 24);
	len = *(const __u32 *)(p + 28);
	if (!len)
		return 0;
	if ((__u64)hdr_len + off + len > ext->shdr.sh_size || len < 4)
		return -EINVAL;
	p += hdr_len + off;
	end = p + len;
	rec_size = *(const __u32 *)p;
	if (rec_size < sizeof(struct fp_core_rec))
		return -EINVAL;
	for (p += 4; p + 8 <= end;) {
		const char *name = btf__name_by_offset(fo->btf, *(const __u32 *)p);
		__u32 nr = *(const __u32 *)(p + 4);
		struct fp_sec *sec;

		p += 8;
		if ((__u64)nr * rec_size > (__u64)(end - p))
			return -EINVAL;
		sec = name ? sec_by_name(fo, name) : NULL;
		/* Records of one size are read in place (the size clang writes today). */
		if (sec && rec_size == sizeof(struct fp_core_rec)) {
			sec->core = (const struct fp_core_rec *)p;
			sec->nr_core = nr;
		} else if (sec) {
			return -EPROTO;
		}
		p += (size_t)nr * rec_size;
	}
	return 0;
}

static int read_btf(struct fp_object *fo)
{
	const struct fp_sec *sec = sec_by_name(fo, ".BTF");

	if (!sec || !sec->bytes)
		return 0; /* no types: CO-RE, map and extern types hash as void */
	fo->btf = btf__new(sec->bytes, sec->shdr.sh_size);
	return fo->btf ? 0 : -EINVAL;
}

static bool is_extern(const struct btf_type *t)
{
	return (btf_is_var(t) && btf_var(t)->linkage == BTF_VAR_GLOBAL_EXTERN) ||
	       (btf_is_func(t) && btf_vlen(t) == BTF_FUNC_EXTERN) /* vlen holds a FUNC's linkage */;
}

static int cmp_extern(const void *a, const void *b, void *ctx)
{
	const struct btf *btf = ctx;

	return strcmp(btf__name_by_offset(btf, btf__type_by_id(btf, *(const __u32 *)a)->name_off),
		      btf__name_by_offset(btf, btf__type_by_id(btf, *(const __u32 *)b)->name_off));
}

/* The extern declarations in BTF: what a kconfig value or kfunc is declared as. */
static int index_externs(struct fp_object *fo)
{
	__u32 n = fo->btf ? btf__type_cnt(fo->btf) : 0;

	fo->externs = calloc(n ?: 1, sizeof(*fo->externs));
	if (!fo->externs)
		return -ENOMEM;
	for (__u32 id = 1; id < n; id++)
		if (is_extern(btf__type_by_id(fo->btf, id)))
			fo->externs[fo->nr_externs++] = id;
	qsort_r(fo->externs, fo->nr_externs, sizeof(*fo->externs), cmp_extern, (void *)fo->btf);
	return 0;
}

/* The BTF id of the extern named name, or 0. */
static __u32 extern_type(const struct fp_object *fo, const char *name)
{
	size_t lo = 0, hi = fo->nr_externs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct btf_type *t = btf__type_by_id(fo->btf, fo->externs[mid]);
		int c = strcmp(btf__name_by_offset(fo->btf, t->name_off), name);

		if (!c)
			return fo->externs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

struct fp_object *fp_object_open(const void *image, size_t size, const struct bpf_object *obj,
				 fp_shared_fn shared, char *why, size_t why_size)
{
	struct fp_object *fo = calloc(1, sizeof(*fo));
	size_t shstrndx, symtab_sec = 0;
	int err = -EINVAL;

	if (!fo) {
		errno = ENOMEM;
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	fo->obj = obj;
	fo->shared = shared;
	elf_version(EV_CURRENT);
	fo->elf = elf_memory((char *)image, size);
	if (!fo->elf || elf_getshdrnum(fo->elf, &fo->shnum) || elf_getshdrstrndx(fo->elf, &shstrndx))
		goto bad;
	fo->secs = calloc(fo->shnum ?: 1, sizeof(*fo->secs));
	err = -ENOMEM;
	if (!fo->secs)
		goto bad;
	err = -EINVAL;
	for (size_t i = 1; i < fo->shnum; i++) {
		struct fp_sec *sec = &fo->secs[i];
		Elf_Scn *scn = elf_getscn(fo->elf, i);
		Elf_Data *data;

		if (!scn || !gelf_getshdr(scn, &sec->shdr))
			goto bad;
		sec->name = elf_strptr(fo->elf, shstrndx, sec->shdr.sh_name);
		if (sec->shdr.sh_type == SHT_SYMTAB)
			symtab_sec = i;
		if (sec->shdr.sh_type == SHT_NOBITS || !sec->shdr.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || data->d_size != sec->shdr.sh_size)
			goto bad;
		sec->bytes = data->d_buf;
		if (sec->name && !strcmp(sec->name, "license"))
			fo->license_sec = i;
	}
	if (!symtab_sec)
		goto bad;
	err = index_sections(fo);
	if (!err)
		err = read_btf(fo);
	if (!err)
		err = index_externs(fo);
	if (!err)
		err = read_symbols(fo, symtab_sec);
	if (!err) {
		fo->memo = calloc(fo->nr_syms + fo->shnum, sizeof(*fo->memo));
		err = fo->memo ? 0 : -ENOMEM;
	}
	for (size_t i = 1; i < fo->shnum && !err; i++)
		if (fo->secs[i].shdr.sh_type == SHT_REL)
			err = read_relocations(fo, i);
	if (!err && fo->btf && sec_by_name(fo, ".BTF.ext"))
		err = read_core_records(fo, sec_by_name(fo, ".BTF.ext"));
	if (!err)
		return fo;
bad:
	snprintf(why, why_size, "%s",
		 err == -ENOMEM ? "out of memory" :
		 err == -EPROTO ? "its .BTF.ext is of another byte order or record size" :
				  "malformed ELF (sections, symbols or relocations)");
	fp_object_free(fo);
	errno = -err;
	return NULL;
}

void fp_object_free(struct fp_object *fo)
{
	if (!fo)
		return;
	for (size_t i = 0; fo->secs && i < fo->shnum; i++)
		free(fo->secs[i].rels);
	free(fo->secs);
	free(fo->syms);
	free(fo->by_addr);
	free(fo->by_name);
	free(fo->externs);
	free(fo->memo);
	btf__free(fo->btf);
	if (fo->elf)
		elf_end(fo->elf);
	free(fo);
}

/* The sized symbol of sec (of type type, or any with STT_NOTYPE) that covers off, or -1. */
static long covering_sym(const struct fp_object *fo, size_t sec_idx, GElf_Addr off, int type)
{
	const struct fp_sec *sec = &fo->secs[sec_idx];
	size_t lo = sec->first_sym, hi = sec->first_sym + sec->nr_syms;

	while (lo < hi) { /* the last symbol starting at or before off */
		size_t mid = lo + (hi - lo) / 2;

		if (fo->syms[fo->by_addr[mid]].st_value <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > sec->first_sym;) {
		const GElf_Sym *s = &fo->syms[fo->by_addr[i]];

		if (s->st_value + s->st_size <= off)
			break;
		if (type == STT_NOTYPE || GELF_ST_TYPE(s->st_info) == type)
			return (long)fo->by_addr[i];
	}
	return -1;
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
	long s = covering_sym(fo, sec_idx, target, STT_FUNC);
	GElf_Addr start = s >= 0 ? fo->syms[s].st_value : 0;
	GElf_Addr end = s >= 0 ? start + fo->syms[s].st_size : fo->secs[sec_idx].shdr.sh_size;
	/* No function symbol covers it: the whole section stands for it. */
	struct fp_memo *memo = &fo->memo[s >= 0 ? (size_t)s : fo->nr_syms + sec_idx];
	__u32 caller_flags = fo->flags;
	struct sha256_ctx sub;
	int err;

	hash_str(h, s >= 0 ? sym_name(fo, &fo->syms[s]) : fo->secs[sec_idx].name);
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
static void hash_map(struct fp_object *fo, struct sha256_ctx *h, const char *name)
{
	const struct bpf_map *map = bpf_object__find_map_by_name(fo->obj, name);

	hash_str(h, "map");
	hash_str(h, name);
	if (!map) {
		fo->flags |= PROG_FP_PRIVATE_STATE; /* not one libbpf knows: assume the worst */
		return;
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
	btf_type_digest(fo->btf, bpf_map__btf_key_type_id(map), h);
	btf_type_digest(fo->btf, bpf_map__btf_value_type_id(map), h);
	if (!bpf_map__pin_path(map) && !(fo->shared && fo->shared(name)))
		fo->flags |= PROG_FP_PRIVATE_STATE;
}

/* Data: the variable the address falls in, its initial bytes, and where in it. */
static void hash_data(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx, GElf_Addr off)
{
	const struct fp_sec *sec = &fo->secs[sec_idx];
	long s = covering_sym(fo, sec_idx, off, STT_OBJECT);
	GElf_Addr start = s >= 0 ? fo->syms[s].st_value : 0;
	GElf_Addr size = s >= 0 ? fo->syms[s].st_size : sec->shdr.sh_size;

	hash_str(h, "data");
	hash_str(h, sec->name ?: "");
	/* No variable covers it (a string literal's section): all of the section stands for it. */
	hash_str(h, s >= 0 ? sym_name(fo, &fo->syms[s]) : "");
	hash_u64(h, off - start);
	hash_u64(h, size);
	if (sec->bytes && start + size <= sec->shdr.sh_size)
		sha256_update(h, sec->bytes + start, size);
	if ((sec->shdr.sh_flags & SHF_WRITE) && !(fo->shared && fo->shared(sec->name ?: "")))
		fo->flags |= PROG_FP_PRIVATE_STATE;
}

/* What relocation r of the code at insn names, by name and content, never by place. */
static int hash_reloc(struct fp_object *fo, struct sha256_ctx *h, const struct fp_rel *r,
		      const __u8 *insn)
{
	const GElf_Sym *sym = sym_at(fo, r->sym);
	size_t target_sec;
	__s32 imm;

	hash_u64(h, r->type);
	if (!sym)
		return -EINVAL;
	memcpy(&imm, insn + 4, sizeof(imm));
	target_sec = sym->st_shndx;
	if (target_sec == SHN_UNDEF || target_sec >= fo->shnum) {
		/*
		 * A kfunc, ksym or kconfig value: resolved by name, and read as
		 * declared (libbpf stores a kconfig 'y' as 1 in a bool, as 'y'
		 * in a char); weak, it may be missing.
		 */
		hash_str(h, "extern");
		hash_str(h, sym_name(fo, sym));
		hash_u64(h, GELF_ST_BIND(sym->st_info));
		hash_u64(h, GELF_ST_TYPE(sym->st_info));
		btf_type_digest(fo->btf, extern_type(fo, sym_name(fo, sym)), h);
		return 0;
	}
	if (fo->secs[target_sec].name && !strcmp(fo->secs[target_sec].name, ".maps")) {
		hash_map(fo, h, sym_name(fo, sym));
		return 0;
	}
	if (fo->secs[target_sec].shdr.sh_flags & SHF_EXECINSTR) {
		/* As libbpf reads them: a call's imm counts instructions after it, an address's bytes. */
		GElf_Addr target = insn[0] == BPF_CALL_INSN ?
					   sym->st_value + ((__s64)imm + 1) * BPF_INSN_SIZE :
					   sym->st_value + imm;
		return hash_code_target(fo, h, target_sec, target);
	}
	hash_data(fo, h, target_sec, sym->st_value + imm);
	return 0;
}

/*
 * A CO-RE record by what it means: its kind, the whole layout of its local
 * type (so the access path's indexes name the same members, at every
 * level), and the access path.
 */
static void hash_core_rec(struct fp_object *fo, struct sha256_ctx *h, const struct fp_core_rec *c,
			  GElf_Addr start)
{
	const char *access = btf__name_by_offset(fo->btf, c->access_str_off);

	hash_u64(h, c->insn_off - start);
	hash_u64(h, c->kind);
	btf_type_digest(fo->btf, c->type_id, h);
	hash_str(h, access ?: "");
}

/* The first relocation of sec at or after off. */
static size_t first_rel_from(const struct fp_sec *sec, GElf_Addr off)
{
	size_t lo = 0, hi = sec->nr_rels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->rels[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Is the instruction at off a BPF-to-BPF call within its own section? Such
 * a call has no relocation (clang resolves it, pc-relative, as it does
 * between two functions of .text): its offset moves with the layout, and
 * its callee is part of what the caller does.
 */
static bool local_call(const struct fp_sec *sec, GElf_Addr off, GElf_Addr *target)
{
	const __u8 *insn = sec->bytes + off;
	size_t r;
	__s32 imm;

	if (insn[0] != BPF_CALL_INSN || insn[1] >> 4 != BPF_PSEUDO_CALL)
		return false;
	r = first_rel_from(sec, off);
	if (r < sec->nr_rels && sec->rels[r].off == off)
		return false; /* relocated: hash_reloc names it */
	memcpy(&imm, insn + 4, sizeof(imm));
	*target = off + ((__s64)imm + 1) * BPF_INSN_SIZE;
	return true;
}

/* The size of the instruction at off: ld_imm64 takes two slots. */
static GElf_Addr insn_size(const struct fp_sec *sec, GElf_Addr off)
{
	return sec->bytes[off] == BPF_LD_IMM64 ? 2 * BPF_INSN_SIZE : BPF_INSN_SIZE;
}

static int hash_range(struct fp_object *fo, struct sha256_ctx *h, size_t sec_idx, GElf_Addr start,
		      GElf_Addr end)
{
	const struct fp_sec *sec = &fo->secs[sec_idx];
	size_t lo = first_rel_from(sec, start);
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
	for (size_t i = 0; i < sec->nr_core && !err; i++)
		if (sec->core[i].insn_off >= start && sec->core[i].insn_off < end)
			hash_core_rec(fo, h, &sec->core[i], start);
	return err;
}

int fp_program(struct fp_object *fo, const struct bpf_program *prog, struct prog_fingerprint *fp,
	       char *why, size_t why_size)
{
	const char *sec_name = bpf_program__section_name(prog);
	const char *name = bpf_program__name(prog);
	struct fp_sec *sec = sec_by_name(fo, sec_name);
	struct sha256_ctx h;
	long s = -1;
	int err;

	memset(fp, 0, sizeof(*fp));
	for (size_t i = 0; sec && i < sec->nr_syms && s < 0; i++) {
		size_t idx = fo->by_addr[sec->first_sym + i];

		if (GELF_ST_TYPE(fo->syms[idx].st_info) == STT_FUNC &&
		    !strcmp(sym_name(fo, &fo->syms[idx]), name))
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
	if (fo->license_sec)
		sha256_update(&h, fo->secs[fo->license_sec].bytes,
			      fo->secs[fo->license_sec].shdr.sh_size);
	err = hash_range(fo, &h, (size_t)(sec - fo->secs), fo->syms[s].st_value,
			 fo->syms[s].st_value + fo->syms[s].st_size);
	/* Even after an error: it frees the context. */
	err = sha256_final(&h, fp->digest) ?: err;
	fp->flags = fo->flags;
	if (err)
		return fail(why, why_size, -err,
			    err == -ENOMEM ?
				    "out of memory" :
				    "program %s: a relocation outside its code or naming no symbol",
			    name);
	return 0;
}

bool prog_fingerprint_same(const struct prog_fingerprint *a, const struct prog_fingerprint *b)
{
	return !((a->flags | b->flags) & PROG_FP_PRIVATE_STATE) &&
	       !memcmp(a->digest, b->digest, sizeof(a->digest));
}
