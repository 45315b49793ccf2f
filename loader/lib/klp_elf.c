// SPDX-License-Identifier: GPL-2.0
/*
 * How the klp_patch is found: by scanning the module's data for the shape
 * klp_enable_patch() itself requires, not by following the argument of the
 * call to it. That argument is built by instructions that change with the
 * compiler, its options and the code around the call (mov $patch or lea
 * patch(%rip), through a helper, from another init function), so following
 * it means decoding machine code. The data has one shape whatever the
 * compiler: klp_enable_patch() refuses a patch without .mod and .objs, so a
 * static klp_patch is a pointer slot relocated against __this_module at the
 * offset of .mod and one relocated to data at the offset of .objs. Each
 * such candidate is then walked as the kernel walks it
 * (klp_for_each_object_static, klp_for_each_func_static: up to the `{ }`
 * ending each array), every pointer a relocation into the module, every
 * name a string: structures that only start alike (a file_operations with
 * .owner = THIS_MODULE) fail that walk. Exactly one must pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "klp_elf.h"

/* The kernel's own limits are far above what a patch module has. */
#define MAX_OBJECTS      64
#define MAX_FUNCS_PER    512
#define MAX_NAME         128
#define THIS_MODULE_NAME "__this_module"

/* A pointer-sized absolute relocation in a data section: where a C pointer initializer lands. */
struct reloc {
	size_t sec; /* the section it patches */
	__u64 off;
	size_t sym;
	__s64 addend;
};

struct module_elf {
	Elf *elf;
	size_t shnum;
	GElf_Shdr *shdr;
	Elf_Data **data; /* raw bytes per section, NULL for none (NOBITS) */
	Elf_Data *symtab;
	size_t symtab_link;
	size_t nr_syms;
	struct reloc *relocs; /* sorted by (sec, off) */
	size_t nr_relocs, cap_relocs;
	bool big_endian;
	char *why;
	size_t why_size;
	const char *path;
};

/* A pointer slot's value: a place in the module, or NULL. */
struct target {
	bool null;
	size_t sec;
	__u64 off;
};

static int find_member(const struct btf *btf, const struct btf_type *t, const char *name, int kind,
		       __u32 want_size, __u32 *off)
{
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const struct btf_type *mt;
		__u32 type_id = m->type;

		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		if (btf_member_bitfield_size(t, i) || btf_member_bit_offset(t, i) % 8)
			return -EINVAL;
		mt = btf__type_by_id(btf, type_id);
		while (mt && (btf_is_typedef(mt) || btf_is_const(mt) || btf_is_volatile(mt)))
			mt = btf__type_by_id(btf, type_id = mt->type);
		if (!mt || btf_kind(mt) != kind || btf__resolve_size(btf, type_id) != want_size)
			return -EINVAL;
		*off = btf_member_bit_offset(t, i) / 8;
		return 0;
	}
	return -ENOENT;
}

static const struct btf_type *find_struct(const struct btf *btf, const char *name, __u32 *size)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	if (t)
		*size = t->size;
	return t;
}

int klp_layout_from_btf(const struct btf *btf, struct klp_layout *l)
{
	const struct btf_type *func, *object, *patch;
	int err;

	memset(l, 0, sizeof(*l));
	if (!btf)
		return -ENOENT;
	func = find_struct(btf, "klp_func", &l->func_size);
	object = find_struct(btf, "klp_object", &l->object_size);
	patch = find_struct(btf, "klp_patch", &l->patch_size);
	if (!func || !object || !patch)
		return -ENOENT;
	/* 64-bit kernels only: livepatch exists on no 32-bit architecture. */
	err = find_member(btf, func, "old_name", BTF_KIND_PTR, 8, &l->func_old_name);
	err = err ?: find_member(btf, func, "new_func", BTF_KIND_PTR, 8, &l->func_new_func);
	err = err ?: find_member(btf, func, "old_sympos", BTF_KIND_INT, 8, &l->func_old_sympos);
	err = err ?: find_member(btf, object, "name", BTF_KIND_PTR, 8, &l->object_name);
	err = err ?: find_member(btf, object, "funcs", BTF_KIND_PTR, 8, &l->object_funcs);
	err = err ?: find_member(btf, patch, "mod", BTF_KIND_PTR, 8, &l->patch_mod);
	err = err ?: find_member(btf, patch, "objs", BTF_KIND_PTR, 8, &l->patch_objs);
	err = err ?: find_member(btf, patch, "replace", BTF_KIND_INT, 1, &l->patch_replace);
	return err;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct reloc *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static const struct reloc *reloc_at(const struct module_elf *m, size_t sec, __u64 off)
{
	struct reloc key = { .sec = sec, .off = off };

	return bsearch(&key, m->relocs, m->nr_relocs, sizeof(key), cmp_reloc);
}

static const char *sym_name(const struct module_elf *m, const GElf_Sym *sym)
{
	const char *name = elf_strptr(m->elf, m->symtab_link, sym->st_name);

	return name ? name : "";
}

static bool get_sym(const struct module_elf *m, size_t idx, GElf_Sym *sym)
{
	return idx < m->nr_syms && gelf_getsym(m->symtab, idx, sym);
}

/* The relocation type a 64-bit pointer initializer gets on each architecture with livepatch. */
static int abs64_type(int machine)
{
	switch (machine) {
	case EM_X86_64:
		return 1; /* R_X86_64_64 */
	case EM_AARCH64:
		return 257; /* R_AARCH64_ABS64 */
	case EM_PPC64:
		return 38; /* R_PPC64_ADDR64 */
	case EM_S390:
		return 22; /* R_390_64 */
	case EM_RISCV:
		return 2; /* R_RISCV_64 */
	case EM_LOONGARCH:
		return 2; /* R_LARCH_64 */
	default:
		return -1;
	}
}

static int collect_relocs(struct module_elf *m, int type)
{
	for (size_t i = 1; i < m->shnum; i++) {
		const GElf_Shdr *sh = &m->shdr[i];
		const GElf_Shdr *target;
		size_t n;

		if (sh->sh_type != SHT_RELA || sh->sh_link >= m->shnum || !m->data[i] ||
		    sh->sh_info == 0 || sh->sh_info >= m->shnum || !sh->sh_entsize)
			continue;
		target = &m->shdr[sh->sh_info];
		/* Pointers in data only: code and debug info hold no klp structure. */
		if (!(target->sh_flags & SHF_ALLOC) || (target->sh_flags & SHF_EXECINSTR))
			continue;
		n = sh->sh_size / sh->sh_entsize;
		for (size_t j = 0; j < n; j++) {
			struct reloc *r;
			GElf_Rela rela;

			if (!gelf_getrela(m->data[i], j, &rela) ||
			    GELF_R_TYPE(rela.r_info) != (__u32)type)
				continue;
			if (m->nr_relocs == m->cap_relocs) {
				r = realloc(m->relocs, (m->cap_relocs * 2 + 64) * sizeof(*r));
				if (!r)
					return -ENOMEM;
				m->relocs = r;
				m->cap_relocs = m->cap_relocs * 2 + 64;
			}
			m->relocs[m->nr_relocs++] = (struct reloc){
				.sec = sh->sh_info,
				.off = rela.r_offset,
				.sym = GELF_R_SYM(rela.r_info),
				.addend = rela.r_addend,
			};
		}
	}
	qsort(m->relocs, m->nr_relocs, sizeof(*m->relocs), cmp_reloc);
	return 0;
}

static int module_open(struct module_elf *m, int fd)
{
	GElf_Ehdr ehdr;
	Elf_Scn *scn = NULL;
	int type;

	elf_version(EV_CURRENT);
	m->elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!m->elf || elf_kind(m->elf) != ELF_K_ELF || !gelf_getehdr(m->elf, &ehdr) ||
	    ehdr.e_type != ET_REL || gelf_getclass(m->elf) != ELFCLASS64 ||
	    elf_getshdrnum(m->elf, &m->shnum)) {
		snprintf(m->why, m->why_size,
			 "%s is not a 64-bit relocatable kernel module (ELF): give a .ko built by kbuild",
			 m->path);
		return -ENOEXEC;
	}
	type = abs64_type(ehdr.e_machine);
	if (type < 0) {
		snprintf(m->why, m->why_size,
			 "%s is built for an architecture bpflp does not read livepatch modules of (ELF machine %u)",
			 m->path, ehdr.e_machine);
		return -ENOEXEC;
	}
	m->big_endian = ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	m->shdr = calloc(m->shnum, sizeof(*m->shdr));
	m->data = calloc(m->shnum, sizeof(*m->data));
	if (!m->shdr || !m->data)
		return -ENOMEM;
	while ((scn = elf_nextscn(m->elf, scn))) {
		size_t i = elf_ndxscn(scn);

		if (i >= m->shnum || !gelf_getshdr(scn, &m->shdr[i]))
			continue;
		if (m->shdr[i].sh_type != SHT_NOBITS) {
			m->data[i] = elf_getdata(scn, NULL);
			/* A section libelf cannot hand over whole is not read at all. */
			if (m->data[i] &&
			    (m->data[i]->d_size != m->shdr[i].sh_size || !m->data[i]->d_buf))
				m->data[i] = NULL;
		}
		if (m->shdr[i].sh_type == SHT_SYMTAB && m->data[i] && m->shdr[i].sh_entsize) {
			m->symtab = m->data[i];
			m->symtab_link = m->shdr[i].sh_link;
			m->nr_syms = m->shdr[i].sh_size / m->shdr[i].sh_entsize;
		}
	}
	if (!m->symtab) {
		snprintf(m->why, m->why_size,
			 "%s has no symbol table (stripped with --strip-all?): bpflp cannot read its klp_patch; give the module as built",
			 m->path);
		return -ENOEXEC;
	}
	return collect_relocs(m, type);
}

static void module_close(struct module_elf *m)
{
	free(m->relocs);
	free(m->data);
	free(m->shdr);
	if (m->elf)
		elf_end(m->elf);
}

/* Does [off, off + len) lie in section sec? */
static bool in_section(const struct module_elf *m, size_t sec, __u64 off, __u64 len)
{
	return sec > 0 && sec < m->shnum && off <= m->shdr[sec].sh_size &&
	       len <= m->shdr[sec].sh_size - off;
}

/* An unsigned integer of n bytes (1 or 8) at sec+off, in the module's byte order. */
static __u64 read_uint(const struct module_elf *m, size_t sec, __u64 off, int n)
{
	const unsigned char *p;
	__u64 v = 0;

	if (!m->data[sec])
		return 0; /* NOBITS: zeroes */
	p = (const unsigned char *)m->data[sec]->d_buf + off;
	for (int i = 0; i < n; i++)
		v |= (__u64)p[m->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

/*
 * The pointer slot at sec+off: a relocation to a symbol of the module, or
 * zero bytes (NULL). false for anything else (an external symbol, bytes
 * without a relocation: not a pointer a static initializer wrote).
 */
static bool read_pointer(const struct module_elf *m, size_t sec, __u64 off, struct target *t)
{
	const struct reloc *r = reloc_at(m, sec, off);
	GElf_Sym sym;

	memset(t, 0, sizeof(*t));
	if (!r) {
		t->null = true;
		return read_uint(m, sec, off, 8) == 0;
	}
	if (!get_sym(m, r->sym, &sym) || sym.st_shndx == SHN_UNDEF ||
	    sym.st_shndx >= SHN_LORESERVE || sym.st_shndx >= m->shnum)
		return false;
	t->sec = sym.st_shndx;
	t->off = sym.st_value + r->addend;
	return true;
}

/* The string a non-NULL pointer target holds, or NULL. */
static const char *read_string(const struct module_elf *m, const struct target *t)
{
	const char *s;
	size_t left;

	if (t->null || !in_section(m, t->sec, t->off, 1) || !m->data[t->sec])
		return NULL;
	s = (const char *)m->data[t->sec]->d_buf + t->off;
	left = m->shdr[t->sec].sh_size - t->off;
	if (!memchr(s, '\0', left < MAX_NAME ? left : MAX_NAME) || !s[0])
		return NULL;
	for (const char *c = s; *c; c++)
		if (*c <= ' ' || *c > '~')
			return NULL;
	return s;
}

static int append(struct klp_elf_patch *p, const char *object, const char *func, unsigned long sympos)
{
	size_t len = strlen(p->patches);
	int n;

	if (sympos)
		n = snprintf(p->patches + len, sizeof(p->patches) - len, "%s%s:%s,%lu",
			     len ? " " : "", object, func, sympos);
	else
		n = snprintf(p->patches + len, sizeof(p->patches) - len, "%s%s:%s", len ? " " : "",
			     object, func);
	if (n < 0 || (size_t)n >= sizeof(p->patches) - len) {
		p->patches[len] = '\0';
		return -E2BIG;
	}
	p->nr_funcs++;
	return 0;
}

/* One object's funcs[], walked as klp_for_each_func_static() does. */
static int walk_funcs(const struct module_elf *m, const struct klp_layout *l,
		      const struct target *funcs, const char *object, struct klp_elf_patch *p)
{
	__u64 off = funcs->off;

	for (int i = 0; i <= MAX_FUNCS_PER; i++, off += l->func_size) {
		struct target old_name, new_func;
		unsigned long sympos;
		const char *name;
		int err;

		if (!in_section(m, funcs->sec, off, l->func_size) ||
		    !read_pointer(m, funcs->sec, off + l->func_old_name, &old_name) ||
		    !read_pointer(m, funcs->sec, off + l->func_new_func, &new_func))
			return -EINVAL;
		sympos = read_uint(m, funcs->sec, off + l->func_old_sympos, 8);
		if (old_name.null && new_func.null && !sympos)
			return 0;
		name = read_string(m, &old_name);
		if (!name || new_func.null)
			return -EINVAL;
		err = append(p, object, name, sympos);
		if (err)
			return err;
	}
	return -EINVAL;
}

/* The klp_patch candidate at sec+off: 0 and p filled when it is one. */
static int walk_patch(const struct module_elf *m, const struct klp_layout *l, size_t sec, __u64 off,
		      struct klp_elf_patch *p)
{
	struct target objs, name, funcs;
	__u64 obj_off;
	int err;

	memset(p, 0, sizeof(*p));
	if (!in_section(m, sec, off, l->patch_size) ||
	    !read_pointer(m, sec, off + l->patch_objs, &objs) || objs.null)
		return -EINVAL;
	p->replace = read_uint(m, sec, off + l->patch_replace, 1) != 0;
	obj_off = objs.off;
	for (int i = 0; i <= MAX_OBJECTS; i++, obj_off += l->object_size) {
		const char *object = "vmlinux";

		if (!in_section(m, objs.sec, obj_off, l->object_size) ||
		    !read_pointer(m, objs.sec, obj_off + l->object_name, &name) ||
		    !read_pointer(m, objs.sec, obj_off + l->object_funcs, &funcs))
			return -EINVAL;
		if (name.null && funcs.null)
			return p->nr_funcs ? 0 : -EINVAL;
		if (!name.null && !(object = read_string(m, &name)))
			return -EINVAL;
		if (funcs.null)
			return -EINVAL; /* klp_enable_patch() refuses it too */
		err = walk_funcs(m, l, &funcs, object, p);
		if (err)
			return err;
	}
	return -EINVAL;
}

/* The index of the section called name, or 0. */
static size_t find_section(const struct module_elf *m, const char *name)
{
	size_t shstrndx;

	if (elf_getshdrstrndx(m->elf, &shstrndx))
		return 0;
	for (size_t i = 1; i < m->shnum; i++) {
		const char *s = elf_strptr(m->elf, shstrndx, m->shdr[i].sh_name);

		if (s && !strcmp(s, name))
			return i;
	}
	return 0;
}

/*
 * kpatch-build's modules carry no klp_patch: their hook
 * (kmod/patch/livepatch-patch-hook.c in kpatch) builds one at load time
 * from .kpatch.funcs, an array of struct kpatch_patch_func { new_addr,
 * new_size, old_addr, old_size, sympos, name, objname }, every field 8
 * bytes: kpatch's own layout, the same on every kernel. objname "vmlinux"
 * means vmlinux. Its .replace is compiled into the hook's code (true
 * unless kpatch-build ran with --non-replace), so it is not read here:
 * the transaction checks it once the module is in (livepatch_txn.c).
 */
#define KPATCH_FUNC_SIZE    56
#define KPATCH_FUNC_NEW     0
#define KPATCH_FUNC_SYMPOS  32
#define KPATCH_FUNC_NAME    40
#define KPATCH_FUNC_OBJNAME 48

/* The why of append()'s -E2BIG. */
static int too_many_funcs(struct module_elf *m, const struct klp_elf_patch *p)
{
	snprintf(m->why, m->why_size,
		 "%s patches more functions than bpflp can list (%zu bytes of OBJECT:FUNCTION): split the livepatch",
		 m->path, sizeof(p->patches));
	return -E2BIG;
}

static int read_kpatch_funcs(struct module_elf *m, size_t sec, struct klp_elf_patch *p)
{
	__u64 size = m->shdr[sec].sh_size;

	memset(p, 0, sizeof(*p));
	p->replace = true;
	p->replace_unread = true;
	for (__u64 off = 0; size % KPATCH_FUNC_SIZE == 0 && off < size; off += KPATCH_FUNC_SIZE) {
		struct target new_func, name, objname;
		const char *func, *object;
		int err;

		if (!read_pointer(m, sec, off + KPATCH_FUNC_NEW, &new_func) || new_func.null ||
		    !read_pointer(m, sec, off + KPATCH_FUNC_NAME, &name) ||
		    !read_pointer(m, sec, off + KPATCH_FUNC_OBJNAME, &objname) ||
		    !(func = read_string(m, &name)) || !(object = read_string(m, &objname)))
			break;
		err = append(p, object, func, read_uint(m, sec, off + KPATCH_FUNC_SYMPOS, 8));
		if (err == -E2BIG)
			return too_many_funcs(m, p);
		if (err)
			return err;
		if (off + KPATCH_FUNC_SIZE == size)
			return 0;
	}
	snprintf(m->why, m->why_size,
		 "%s is a kpatch-build module whose .kpatch.funcs bpflp cannot read (not an array of kpatch's 56-byte struct kpatch_patch_func with relocated names): name what it patches with BPFLP_KLP_PATCHES(\"OBJECT:FUNCTION ...\") (<bpflp/klp.h>)",
		 m->path);
	return -EINVAL;
}

static int find_patch(struct module_elf *m, const struct klp_layout *l, struct klp_elf_patch *p)
{
	size_t kpatch_funcs = find_section(m, ".kpatch.funcs");
	struct klp_elf_patch cand;
	int found = 0, misfit = 0;

	if (kpatch_funcs)
		return read_kpatch_funcs(m, kpatch_funcs, p);
	for (size_t i = 0; i < m->nr_relocs; i++) {
		const struct reloc *r = &m->relocs[i];
		GElf_Sym sym;
		int err;

		if (r->off < l->patch_mod || !get_sym(m, r->sym, &sym) ||
		    strcmp(sym_name(m, &sym), THIS_MODULE_NAME))
			continue;
		err = walk_patch(m, l, r->sec, r->off - l->patch_mod, &cand);
		if (err == -E2BIG)
			return too_many_funcs(m, &cand);
		if (err) {
			/* .objs is set: it was meant as a klp_patch, of another layout. */
			struct target objs;

			if (in_section(m, r->sec, r->off - l->patch_mod + l->patch_objs, 8) &&
			    read_pointer(m, r->sec, r->off - l->patch_mod + l->patch_objs, &objs) &&
			    !objs.null && reloc_at(m, objs.sec, objs.off + l->object_funcs))
				misfit++;
			continue;
		}
		if (found++)
			continue;
		*p = cand;
	}
	if (found == 1)
		return 0;
	if (found > 1) {
		snprintf(m->why, m->why_size,
			 "%s has %d klp_patch structures: bpflp cannot tell which one it enables; give a module with one, or name what it patches with BPFLP_KLP_PATCHES(\"OBJECT:FUNCTION ...\") (<bpflp/klp.h>)",
			 m->path, found);
		return -ENOTUNIQ;
	}
	if (misfit) {
		snprintf(m->why, m->why_size,
			 "%s has a klp_patch whose objects and functions do not fit this kernel's struct klp_object and klp_func (BTF): rebuild it against this kernel's headers",
			 m->path);
		return -EINVAL;
	}
	snprintf(m->why, m->why_size,
		 "%s has no static klp_patch bpflp can read (.mod = THIS_MODULE, .objs set) nor kpatch-build's .kpatch.funcs: give a module built like samples/livepatch/livepatch-sample.c or by kpatch-build, or name what it patches with BPFLP_KLP_PATCHES(\"OBJECT:FUNCTION ...\") (<bpflp/klp.h>)",
		 m->path);
	return -ENOENT;
}

int klp_elf_read(const char *path, const struct klp_layout *l, struct klp_elf_patch *p, char *why,
		 size_t size)
{
	struct module_elf m = { .why = why, .why_size = size, .path = path };
	int fd, err;

	memset(p, 0, sizeof(*p));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(why, size, "cannot read livepatch module %s: %s", path, strerror(-err));
		return err;
	}
	err = module_open(&m, fd);
	if (err == -ENOMEM)
		snprintf(why, size, "cannot read %s: %s", path, strerror(ENOMEM));
	if (!err)
		err = find_patch(&m, l, p);
	module_close(&m);
	close(fd);
	return err;
}
