// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF object file indexed once (bpf_elf.h): a cumulative patch of 1000
 * functions has over 2000 sections and many more symbols, and a lookup
 * per program that scanned them would make its open O(N^2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "bpf_elf.h"

#define BTF_EXT_MAGIC 0xeB9F

const char *bpf_elf_sym_name(const struct bpf_elf *e, const GElf_Sym *sym)
{
	const char *name = elf_strptr(e->elf, e->strtab, sym->st_name);

	return name ?: "";
}

static int cmp_rel(const void *a, const void *b)
{
	const struct bpf_elf_rel *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

static int cmp_by_addr(const void *a, const void *b, void *ctx)
{
	const struct bpf_elf *e = ctx;
	const GElf_Sym *x = &e->syms[*(const size_t *)a];
	const GElf_Sym *y = &e->syms[*(const size_t *)b];

	if (x->st_shndx != y->st_shndx)
		return x->st_shndx < y->st_shndx ? -1 : 1;
	return x->st_value < y->st_value ? -1 : x->st_value > y->st_value;
}

static int read_symbols(struct bpf_elf *e, size_t symtab_sec)
{
	GElf_Shdr *sh = &e->secs[symtab_sec].shdr;

	e->symtab = elf_getdata(elf_getscn(e->elf, symtab_sec), NULL);
	if (!e->symtab || !sh->sh_entsize)
		return -EINVAL;
	e->strtab = sh->sh_link;
	e->nr_syms = sh->sh_size / sh->sh_entsize;
	e->syms = calloc(e->nr_syms ?: 1, sizeof(*e->syms));
	e->by_addr = calloc(e->nr_syms ?: 1, sizeof(*e->by_addr));
	if (!e->syms || !e->by_addr)
		return -ENOMEM;
	for (size_t i = 0; i < e->nr_syms; i++) {
		GElf_Sym *s = &e->syms[i];

		if (!gelf_getsym(e->symtab, i, s))
			return -EINVAL;
		if (s->st_size && s->st_shndx > 0 && s->st_shndx < e->shnum)
			e->by_addr[e->nr_by_addr++] = i;
	}
	qsort_r(e->by_addr, e->nr_by_addr, sizeof(*e->by_addr), cmp_by_addr, e);
	for (size_t i = e->nr_by_addr; i-- > 0;) {
		struct bpf_elf_sec *sec = &e->secs[e->syms[e->by_addr[i]].st_shndx];

		sec->first_sym = i;
		sec->nr_syms++;
	}
	return 0;
}

static int read_relocations(struct bpf_elf *e, size_t rel_sec)
{
	const GElf_Shdr *sh = &e->secs[rel_sec].shdr;
	Elf_Data *data = elf_getdata(elf_getscn(e->elf, rel_sec), NULL);
	struct bpf_elf_sec *target;
	struct bpf_elf_rel *rels;
	size_t n;

	if (sh->sh_info >= e->shnum || !data || !sh->sh_entsize)
		return -EINVAL;
	target = &e->secs[sh->sh_info];
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
		rels[target->nr_rels++] = (struct bpf_elf_rel){ .off = rel.r_offset,
								.sym = GELF_R_SYM(rel.r_info),
								.type = GELF_R_TYPE(rel.r_info) };
	}
	qsort(rels, target->nr_rels, sizeof(*rels), cmp_rel);
	return 0;
}

static int cmp_sec_name(const void *a, const void *b, void *ctx)
{
	const struct bpf_elf *e = ctx;

	return strcmp(e->secs[*(const size_t *)a].name, e->secs[*(const size_t *)b].name);
}

/* One program per section, so a program is found in log time (a patch may have 1000). */
static int index_sections(struct bpf_elf *e)
{
	e->by_name = calloc(e->shnum ?: 1, sizeof(*e->by_name));
	if (!e->by_name)
		return -ENOMEM;
	for (size_t i = 1; i < e->shnum; i++)
		if (e->secs[i].name)
			e->by_name[e->nr_by_name++] = i;
	qsort_r(e->by_name, e->nr_by_name, sizeof(*e->by_name), cmp_sec_name, e);
	return 0;
}

struct bpf_elf_sec *bpf_elf_sec_by_name(const struct bpf_elf *e, const char *name)
{
	size_t lo = 0, hi = e->nr_by_name;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e->secs[e->by_name[mid]].name, name);

		if (!c)
			return &e->secs[e->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_core_rec(const void *a, const void *b)
{
	const struct bpf_elf_core_rec *x = a, *y = b;

	return (x->insn_off > y->insn_off) - (x->insn_off < y->insn_off);
}

/*
 * The CO-RE records of .BTF.ext, by section, sorted by instruction (a
 * program's walk finds its first record in log time). Sections are looked up by name
 * once per record block, not per program: a block names its code section.
 */
static int read_core_records(struct bpf_elf *e, const struct bpf_elf_sec *ext)
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
	if (rec_size < sizeof(struct bpf_elf_core_rec))
		return -EINVAL;
	for (p += 4; p + 8 <= end;) {
		const char *name = btf__name_by_offset(e->btf, *(const __u32 *)p);
		__u32 nr = *(const __u32 *)(p + 4);
		struct bpf_elf_sec *sec;

		p += 8;
		if ((__u64)nr * rec_size > (__u64)(end - p))
			return -EINVAL;
		sec = name ? bpf_elf_sec_by_name(e, name) : NULL;
		if (sec) {
			struct bpf_elf_core_rec *core =
				realloc(sec->core, (sec->nr_core + nr + 1) * sizeof(*core));

			if (!core)
				return -ENOMEM;
			sec->core = core;
			/* The fields known today; a larger record has more after them. */
			for (__u32 i = 0; i < nr; i++)
				memcpy(&core[sec->nr_core++], p + (size_t)i * rec_size,
				       sizeof(*core));
			qsort(core, sec->nr_core, sizeof(*core), cmp_core_rec);
		}
		p += (size_t)nr * rec_size;
	}
	return 0;
}

static int read_btf(struct bpf_elf *e)
{
	const struct bpf_elf_sec *sec = bpf_elf_sec_by_name(e, ".BTF");

	if (!sec || !sec->bytes)
		return 0; /* no types: CO-RE, map and extern types hash as void */
	e->btf = btf__new(sec->bytes, sec->shdr.sh_size);
	return e->btf ? 0 : -EINVAL;
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
static int index_externs(struct bpf_elf *e)
{
	__u32 n = e->btf ? btf__type_cnt(e->btf) : 0;

	e->externs = calloc(n ?: 1, sizeof(*e->externs));
	if (!e->externs)
		return -ENOMEM;
	for (__u32 id = 1; id < n; id++)
		if (is_extern(btf__type_by_id(e->btf, id)))
			e->externs[e->nr_externs++] = id;
	qsort_r(e->externs, e->nr_externs, sizeof(*e->externs), cmp_extern, (void *)e->btf);
	return 0;
}

/* The BTF id of the extern named name, or 0. */
__u32 bpf_elf_extern_type(const struct bpf_elf *e, const char *name)
{
	size_t lo = 0, hi = e->nr_externs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct btf_type *t = btf__type_by_id(e->btf, e->externs[mid]);
		int c = strcmp(btf__name_by_offset(e->btf, t->name_off), name);

		if (!c)
			return e->externs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

const void *bpf_elf_data_var(const struct bpf_elf *e, const char *sec_name, const char *name,
			     size_t size, int *seen)
{
	const struct bpf_elf_sec *sec = bpf_elf_sec_by_name(e, sec_name);
	const void *found = NULL;

	/* The symbol, not the BTF: clang leaves a DATASEC's offsets for libbpf to fill in. */
	for (size_t i = 0; sec && sec->bytes && i < sec->nr_syms; i++) {
		const GElf_Sym *sym = &e->syms[e->by_addr[sec->first_sym + i]];

		if (GELF_ST_TYPE(sym->st_info) != STT_OBJECT ||
		    strcmp(bpf_elf_sym_name(e, sym), name))
			continue;
		(*seen)++;
		if (sym->st_size == size && sym->st_value <= sec->shdr.sh_size &&
		    size <= sec->shdr.sh_size - sym->st_value)
			found = sec->bytes + sym->st_value;
	}
	return found;
}

int bpf_elf_open(struct bpf_elf *e, const void *image, size_t size)
{
	size_t shstrndx, symtab_sec = 0;
	int err;

	memset(e, 0, sizeof(*e));
	elf_version(EV_CURRENT);
	e->elf = elf_memory((char *)image, size);
	if (!e->elf || elf_getshdrnum(e->elf, &e->shnum) || elf_getshdrstrndx(e->elf, &shstrndx))
		goto malformed;
	e->secs = calloc(e->shnum ?: 1, sizeof(*e->secs));
	if (!e->secs) {
		bpf_elf_close(e);
		return -ENOMEM;
	}
	for (size_t i = 1; i < e->shnum; i++) {
		struct bpf_elf_sec *sec = &e->secs[i];
		Elf_Scn *scn = elf_getscn(e->elf, i);
		Elf_Data *data;

		if (!scn || !gelf_getshdr(scn, &sec->shdr))
			goto malformed;
		sec->name = elf_strptr(e->elf, shstrndx, sec->shdr.sh_name);
		if (sec->shdr.sh_type == SHT_SYMTAB)
			symtab_sec = i;
		if (sec->shdr.sh_type == SHT_NOBITS || !sec->shdr.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || data->d_size != sec->shdr.sh_size)
			goto malformed;
		sec->bytes = data->d_buf;
		if (sec->name && !strcmp(sec->name, "license"))
			e->license_sec = i;
	}
	if (!symtab_sec)
		goto malformed;
	err = index_sections(e);
	if (!err)
		err = read_btf(e);
	if (!err)
		err = index_externs(e);
	if (!err)
		err = read_symbols(e, symtab_sec);
	for (size_t i = 1; i < e->shnum && !err; i++)
		if (e->secs[i].shdr.sh_type == SHT_REL)
			err = read_relocations(e, i);
	if (!err && e->btf && bpf_elf_sec_by_name(e, ".BTF.ext"))
		err = read_core_records(e, bpf_elf_sec_by_name(e, ".BTF.ext"));
	if (err)
		bpf_elf_close(e);
	return err;
malformed:
	bpf_elf_close(e);
	return -EINVAL;
}

void bpf_elf_close(struct bpf_elf *e)
{
	for (size_t i = 0; e->secs && i < e->shnum; i++) {
		free(e->secs[i].rels);
		free(e->secs[i].core);
	}
	free(e->secs);
	free(e->syms);
	free(e->by_addr);
	free(e->by_name);
	free(e->externs);
	btf__free(e->btf);
	if (e->elf)
		elf_end(e->elf);
	memset(e, 0, sizeof(*e));
}

/* The sized symbol of sec (of type type, or any with STT_NOTYPE) that covers off, or -1. */
long bpf_elf_covering_sym(const struct bpf_elf *e, size_t sec_idx, GElf_Addr off, int type)
{
	const struct bpf_elf_sec *sec = &e->secs[sec_idx];
	size_t lo = sec->first_sym, hi = sec->first_sym + sec->nr_syms;

	while (lo < hi) { /* the last symbol starting at or before off */
		size_t mid = lo + (hi - lo) / 2;

		if (e->syms[e->by_addr[mid]].st_value <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i-- > sec->first_sym;) {
		const GElf_Sym *s = &e->syms[e->by_addr[i]];

		if (s->st_value + s->st_size <= off)
			break;
		if (type == STT_NOTYPE || GELF_ST_TYPE(s->st_info) == type)
			return (long)e->by_addr[i];
	}
	return -1;
}

/* The first relocation of sec at or after off. */
size_t bpf_elf_first_rel(const struct bpf_elf_sec *sec, GElf_Addr off)
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

size_t bpf_elf_first_core(const struct bpf_elf_sec *sec, GElf_Addr off)
{
	size_t lo = 0, hi = sec->nr_core;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->core[mid].insn_off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
