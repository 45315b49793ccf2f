// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "attach_target.h"
#include "bpf_rodata.h"
#include "commit.h"
#include "companion_kmod.h"
#include "func_proto.h"
#include "kallsyms.h"
#include "kernel.h"
#include "kernel_func.h"
#include "log.h"
#include "output.h"
#include "patch_fingerprint.h"
#include "patch_object.h"
#include "patch_state.h"
#include "prog_maps.h"
#include "replace_proto.h"
#include "route.h"
#include "shadow.h"
#include "store.h"
#include "util.h"

#define VERIFIER_LOG_SIZE (64 << 10)
#ifndef EM_BPF
#define EM_BPF 247
#endif

const char *const patch_callback_names[CB_COUNT] = {
	[CB_PRE_PATCH] = "pre_patch",
	[CB_POST_PATCH] = "post_patch",
	[CB_PRE_UNPATCH] = "pre_unpatch",
	[CB_POST_UNPATCH] = "post_unpatch",
};

/*
 * Section prefix and program-name suffix the authoring macros produce.
 * BPFLP_REPLACE_ANY is a replacement too, but built as fentry: only the
 * companion module can run it (patch.bpf.h), and its section says so.
 * Entries of a section come first with the kind a misnamed program is
 * told to use.
 */
static const struct {
	enum bpflp_kind kind;
	enum bpf_attach_type attach_type;
	const char *section;
	const char *suffix;
	const char *macro;
	const char *name;
	bool any_value; /* returns any value: the companion module only */
} kinds[] = {
	{ BPFLP_KIND_FENTRY, BPF_TRACE_FENTRY, "fentry/", "__entry", "BPFLP_FENTRY", "fentry", false },
	{ BPFLP_KIND_FEXIT, BPF_TRACE_FEXIT, "fexit/", "__exit", "BPFLP_FEXIT", "fexit", false },
	{ BPFLP_KIND_FMOD_RET, BPF_MODIFY_RETURN, "fmod_ret/", "__ret", "BPFLP_FMOD_RET",
	  "fmod_ret", false },
	{ BPFLP_KIND_REPLACE, BPF_MODIFY_RETURN, "fmod_ret/", "__replace", "BPFLP_REPLACE",
	  "replace", false },
	{ BPFLP_KIND_REPLACE, BPF_TRACE_FENTRY, "fentry/", "__replace", "BPFLP_REPLACE_ANY",
	  "replace", true },
};

/*
 * One verifier log per program, where the kernel explains a refused load.
 * Allocated per load: 1024 programs take 64 MiB of address space, of which
 * only the pages a log is written to are ever touched.
 */
static char (*verifier_logs)[VERIFIER_LOG_SIZE];

const char *bpflp_kind_name(enum bpflp_kind kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return "unknown";
}

bool patch_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > BPFLP_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * Open the file once and check that very file (no swap between check and
 * load): a regular file, root's and not writable by others, not huge, a
 * 64-bit little-endian BPF ELF. Returns the open fd or a negative errno.
 */
static int open_checked(const char *path, bool allow_insecure)
{
	unsigned char ident[sizeof(Elf64_Ehdr)];
	const Elf64_Ehdr *ehdr = (const void *)ident;
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		p_err("cannot open patch object %s: %s", path, strerror(-err));
		goto fail;
	}
	err = -EINVAL;
	if (S_ISDIR(st.st_mode)) {
		p_err("%s is a directory: give the path of a patch object (.bpf.o)", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		p_err("%s is not a regular file: give the path of a patch object (.bpf.o)", path);
		goto fail;
	}
	/* Like sudo with its files: code for the kernel must be root's alone to change. */
	err = -EPERM;
	if (!allow_insecure && st.st_uid != 0) {
		p_err("%s is not owned by root (uid %u): anyone who owns it can change what runs in the kernel; chown root it or pass --allow-insecure",
		      path, st.st_uid);
		goto fail;
	}
	if (!allow_insecure && (st.st_mode & (S_IWGRP | S_IWOTH))) {
		p_err("%s is group- or world-writable (mode %03o): chmod go-w it or pass --allow-insecure",
		      path, st.st_mode & 0777);
		goto fail;
	}
	if (st.st_size > PATCH_OBJECT_MAX_SIZE) {
		p_err("%s is too large for a patch object (%lld bytes, limit %ld)", path,
		      (long long)st.st_size, PATCH_OBJECT_MAX_SIZE);
		err = -EFBIG;
		goto fail;
	}
	err = -ENOEXEC;
	if (pread(fd, ident, sizeof(ident), 0) < (ssize_t)sizeof(ident) ||
	    memcmp(ident, ELFMAG, SELFMAG)) {
		p_err("%s is not an ELF file: build patches with clang -target bpf", path);
		goto fail;
	}
	if (ident[EI_DATA] == ELFDATA2MSB) {
		p_err("%s is not a BPF object for this machine (big-endian): build it with clang -target bpf",
		      path);
		goto fail;
	}
	if (ident[EI_CLASS] != ELFCLASS64 || ehdr->e_machine != EM_BPF) {
		p_err("%s is not a BPF object for this machine (ELF machine %u): build it with clang -target bpf",
		      path, ehdr->e_machine);
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return err;
}

static int read_identity(struct patch_object *po)
{
	const struct bpflp_patch_info *info;

	info = bpf_rodata_find(po->rodata, "bpflp_patch", sizeof(*info));
	if (!info || info->magic != BPFLP_MAGIC) {
		p_err("%s has no BPFLP_PATCH(name, version): declare the patch identity with bpflp/patch.bpf.h",
		      po->path);
		return -EINVAL;
	}
	if (info->abi_version != BPFLP_ABI_VERSION) {
		p_err("%s was built for bpflp ABI %u, this bpflp speaks ABI %u: rebuild it with this bpflp's patch.bpf.h",
		      po->path, info->abi_version, BPFLP_ABI_VERSION);
		return -EINVAL;
	}
	po->info = *info;
	if (!memchr(info->name, '\0', sizeof(info->name))) {
		p_err("%s: bad patch name: longer than %d characters; use 1-%d characters from [a-z0-9_-]",
		      po->path, BPFLP_NAME_MAX, BPFLP_NAME_MAX);
		return -EINVAL;
	}
	if (!patch_name_valid(po->info.name)) {
		p_err("%s: bad patch name '%s': use 1-%d characters from [a-z0-9_-]", po->path,
		      po->info.name, BPFLP_NAME_MAX);
		return -EINVAL;
	}
	if (!bpf_rodata_find(po->rodata, "bpflp_slot", sizeof(__u32))) {
		p_err("%s was not built with bpflp/patch.bpf.h (no bpflp_slot)", po->path);
		return -EINVAL;
	}
	return 0;
}

static int classify_callback(struct patch_object *po, struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	/* A shadow's migration (BPFLP_SHADOW_MIGRATE): shadow_scan pairs it with its shadow. */
	if (!strncmp(name, "bpflp_migrate_", 14))
		return 0;
	for (int cb = 0; cb < CB_COUNT; cb++) {
		if (strncmp(name, "bpflp_", 6) || strcmp(name + 6, patch_callback_names[cb]))
			continue;
		po->callbacks[cb] = prog;
		return 0;
	}
	p_err("%s: syscall program '%s' is not a bpflp callback: use BPFLP_CALLBACK(pre_patch|post_patch|pre_unpatch|post_unpatch)",
	      po->path, name);
	return -EINVAL;
}

static bool traceability_warned;

static int check_target(struct patch_object *po, struct patch_prog *pp)
{
	struct kernel_func kf;
	char why[256], clone[KSYM_NAME_LEN];
	int err, btf_id;

	err = kernel_func_find(pp->func, &kf);
	/* Only a clone, not the function itself, in kallsyms: name the clone. */
	if (err == -ENOENT && kallsyms_find_clone(pp->func, clone, sizeof(clone)) > 0) {
		p_err("%s: cannot attach %s to %s: the compiler specialised it into %s, whose prototype differs from the source's, so it has no BTF and BPF cannot attach to it; patch a caller or callee BPF can attach to instead",
		      po->path, bpflp_kind_name(pp->kind), pp->func, clone);
		return err;
	}
	if (err == -ENOENT) {
		p_err("%s: unknown kernel function '%s': it is not in the BTF of this kernel or of a loaded module; check the name (or load its module first)",
		      po->path, pp->func);
		return err;
	}
	if (err < 0) {
		p_err("cannot read this kernel's BTF (/sys/kernel/btf/): %s", strerror(-err));
		return err;
	}
	pp->func_key = kf.key;
	pp->btf = kf.btf;
	memcpy(pp->module, kf.module, sizeof(pp->module));
	/* In BTF is not enough: the trampoline needs an ftrace call site. */
	pp->traceable = kernel_func_traceable(pp->func);
	if (!pp->traceable) {
		p_err("%s: cannot attach %s to %s: not traceable (notrace, inlined or init-only: absent from %s); patch a traceable caller or callee instead",
		      po->path, bpflp_kind_name(pp->kind), pp->func, kernel_traceable_source());
		return -EINVAL;
	}
	/* What apply's attach would refuse with an errno, refused here in a sentence. */
	btf_id = (int)(__u32)pp->func_key;
	if (func_proto_fit(pp->btf, btf_id, route_trampoline_limit(pp->btf, btf_id), why,
			   sizeof(why)) == PROTO_UNTRACEABLE) {
		p_err("%s: cannot attach %s to %s: %s; patch a caller or callee BPF can attach to instead",
		      po->path, bpflp_kind_name(pp->kind), pp->func, why);
		return -EINVAL;
	}
	if (pp->traceable < 0 && !traceability_warned) {
		traceability_warned = true;
		pr_warn("warning: cannot read %s (%s): whether functions are traceable is not checked before attaching\n",
			kernel_traceable_source(), strerror(-pp->traceable));
	}
	if (pp->kind == BPFLP_KIND_FMOD_RET && !kernel_func_modifiable(pp->func)) {
		p_err("%s: cannot attach fmod_ret to %s: not modifiable on this kernel (only security_* hooks and error-injection functions); observe it with BPFLP_FENTRY/BPFLP_FEXIT or use a companion module",
		      po->path, pp->func);
		return -EINVAL;
	}
	return 0;
}

/*
 * The limit a replacement's prototype is judged by: fentry attached to it
 * (check_target), so only the companion module's own limit is reported.
 */
static const struct trampoline_limit any_limit = { .max_args = 64, .probed = true };

/*
 * BPFLP_REPLACE: fmod_ret where the kernel allows it, else the companion
 * module runs the program, loaded as fentry (its rodata switch makes the
 * body leave a verdict instead of returning it).
 */
static bool forced_companion(void)
{
	const char *route = getenv("BPFLP_ROUTE");

	return route && !strcmp(route, "companion");
}

/*
 * BPFLP_REPLACE_ANY: the companion module, whatever fmod_ret reaches. An
 * fmod_ret trampoline runs the function whenever its program returns 0,
 * so a replacement that must make a function return 0 (or false, or NULL)
 * has no other route; a patch that cannot have the module is refused, not
 * quietly sent to fmod_ret. The program is fentry already (its section).
 */
static int pick_companion_only(struct patch_object *po, struct patch_prog *pp)
{
	char why[512];
	int route;

	if (pp->module[0]) {
		p_err("%s: cannot replace %s with BPFLP_REPLACE_ANY: it is in module %s, and the companion module, the only route that can return any value, replaces functions of vmlinux only; use BPFLP_REPLACE there (0 runs the original)",
		      po->path, pp->func, pp->module);
		return -EOPNOTSUPP;
	}
	/* Where fmod_ret does not reach, BPFLP_REPLACE would need the module too: same rules. */
	if (!kernel_func_modifiable(pp->func)) {
		route = func_route(pp->func, why, sizeof(why));
		if (route != ROUTE_COMPANION) {
			p_err("%s: cannot replace %s: %s", po->path, pp->func, why);
			return route < 0 ? route : -EOPNOTSUPP;
		}
	} else if (func_proto_fit(pp->btf, (int)(__u32)pp->func_key, &any_limit, why, sizeof(why)) !=
		   PROTO_REPLACEABLE) {
		/* fmod_ret's reach says nothing of what the module can take. */
		p_err("%s: cannot replace %s with BPFLP_REPLACE_ANY, which needs the companion module: %s; use BPFLP_REPLACE (fmod_ret) there, where 0 runs the original",
		      po->path, pp->func, why);
		return -EOPNOTSUPP;
	} else if (companion_module_usable(why, sizeof(why))) {
		p_err("%s: cannot replace %s with BPFLP_REPLACE_ANY, which needs the companion module (fmod_ret runs the original when its program returns 0), and the module is unusable: %s; make it usable (make kmod, or BPFLP_KMOD=its path), or use BPFLP_REPLACE where 0 may mean \"run the original\"",
		      po->path, pp->func, why);
		return -EOPNOTSUPP;
	}
	pp->companion = true;
	return 0;
}

static int pick_route(struct patch_object *po, struct patch_prog *pp)
{
	char var[BPFLP_FUNC_NAME_MAX + 32], why[512];
	__u32 *companion;
	int err, route;

	/*
	 * A struct passed by value, which only fmod_ret could take, cannot be
	 * declared in a body (no cast from a register): say that first.
	 */
	if (!kernel_func_modifiable(pp->func) &&
	    func_proto_fit(pp->btf, (int)(__u32)pp->func_key, &any_limit, why, sizeof(why)) ==
		    PROTO_TRACE_ONLY) {
		p_err("%s: cannot replace %s: %s", po->path, pp->func, why);
		return -EOPNOTSUPP;
	}
	snprintf(var, sizeof(var), REPLACE_PROTO_VAR_PREFIX "%s", pp->func);
	err = replace_proto_check(bpf_object__btf(po->obj), bpf_rodata_var_id(po->rodata, var),
				  pp->btf, (int)(__u32)pp->func_key, pp->func, why, sizeof(why));
	if (err) {
		p_err("%s: %s", po->path, why);
		return err;
	}
	if (pp->any_value)
		return pick_companion_only(po, pp);
	/*
	 * fmod_ret needs no more facts (the full route reads all of kallsyms);
	 * BPFLP_ROUTE=companion takes the companion route anyway, for
	 * measurements (make bench).
	 */
	if (!kernel_func_modifiable(pp->func))
		route = func_route(pp->func, why, sizeof(why));
	else if (forced_companion())
		route = companion_module_usable(why, sizeof(why)) ? ROUTE_OBSERVE_ONLY :
								    ROUTE_COMPANION;
	else
		return 0;
	if (pp->module[0] && route == ROUTE_COMPANION) {
		/* Its code goes with the module, and the module's ftrace hook would point into it. */
		p_err("%s: cannot replace %s: it is in module %s, and the companion module replaces functions of vmlinux only; use a security_* hook or an error-injection function there, or observe it with BPFLP_FENTRY/BPFLP_FEXIT",
		      po->path, pp->func, pp->module);
		return -EOPNOTSUPP;
	}
	if (route != ROUTE_COMPANION) {
		p_err("%s: cannot replace %s: %s", po->path, pp->func, why);
		return route < 0 ? route : -EOPNOTSUPP;
	}
	snprintf(var, sizeof(var), "bpflp_companion_%s__replace", pp->func);
	companion = bpf_rodata_find(po->rodata, var, sizeof(*companion));
	if (!companion) {
		p_err("%s: BPFLP_REPLACE(%s) has no route switch (%s): build it with this bpflp's patch.bpf.h",
		      po->path, pp->func, var);
		return -EINVAL;
	}
	*companion = 1;
	pp->companion = true;
	return bpf_program__set_expected_attach_type(pp->prog, BPF_TRACE_FENTRY);
}

/* The kind whose macro made prog: section, attach type and name suffix agree. */
static int find_kind(const char *sec, const char *name, enum bpf_attach_type type, size_t *sec_len)
{
	int section_match = -1;

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		size_t len = strlen(kinds[k].section), func_len;

		if (kinds[k].attach_type != type || strncmp(sec, kinds[k].section, len))
			continue;
		*sec_len = len;
		if (section_match < 0)
			section_match = k;
		func_len = strlen(sec + len);
		/* The macro names the program <func><suffix>; anything else skipped the gate. */
		if (func_len && func_len < BPFLP_FUNC_NAME_MAX &&
		    !strncmp(name, sec + len, func_len) && !strcmp(name + func_len, kinds[k].suffix))
			return k;
	}
	return section_match < 0 ? -ENOENT : -(1000 + section_match);
}

static int classify_tracing(struct patch_object *po, struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog), *name = bpf_program__name(prog);
	enum bpf_attach_type type = bpf_program__expected_attach_type(prog);
	char key_var[BPFLP_FUNC_NAME_MAX + 32];
	struct patch_prog *pp;
	size_t sec_len = 0;
	int k;

	k = find_kind(sec, name, type, &sec_len);
	if (k == -ENOENT) {
		p_err("%s: program '%s' in section '%s' is not a bpflp program: use BPFLP_REPLACE, BPFLP_FMOD_RET, BPFLP_FENTRY, BPFLP_FEXIT or BPFLP_CALLBACK",
		      po->path, name, sec);
		return -EINVAL;
	}
	if (k < 0) {
		p_err("%s: program '%s' bypasses the bpflp gate: define it with %s(%s, ...)",
		      po->path, name, kinds[-k - 1000].macro, sec + sec_len);
		return -EINVAL;
	}
	for (int i = 0; i < po->nr_progs; i++) {
		if (po->progs[i].kind == kinds[k].kind && !strcmp(po->progs[i].func, sec + sec_len)) {
			p_err("%s: two %s programs target %s: a patch has at most one per function and kind",
			      po->path, bpflp_kind_name(kinds[k].kind), sec + sec_len);
			return -EINVAL;
		}
	}
	pp = &po->progs[po->nr_progs++];
	pp->prog = prog;
	pp->kind = kinds[k].kind;
	pp->any_value = kinds[k].any_value;
	snprintf(pp->func, sizeof(pp->func), "%s", sec + sec_len);
	/* The rodata the macro defines, the gate key first: the first one missing is named. */
	snprintf(key_var, sizeof(key_var), "bpflp_fid_%s", name);
	pp->rodata_key = bpf_rodata_find(po->rodata, key_var, sizeof(__u64));
	if (pp->rodata_key) {
		snprintf(key_var, sizeof(key_var), "bpflp_idx_%s", name);
		pp->rodata_idx = bpf_rodata_find(po->rodata, key_var, sizeof(__u32));
	}
	if (pp->rodata_idx) {
		snprintf(key_var, sizeof(key_var), "bpflp_snap_%s", name);
		pp->rodata_snap = bpf_rodata_find(po->rodata, key_var, sizeof(__u32));
	}
	if (!pp->rodata_snap) {
		p_err("%s: program '%s' has no gate key (%s): define it with %s(%s, ...)", po->path,
		      name, key_var, kinds[k].macro, sec + sec_len);
		return -EINVAL;
	}
	return check_target(po, pp) ?: (pp->kind == BPFLP_KIND_REPLACE ? pick_route(po, pp) : 0);
}

/*
 * One replacement per function; and a function the companion module
 * replaces carries no other program of the same patch: its calls would
 * take the commit word twice (the module's and the trampoline's).
 */
static int check_companion_alone(const struct patch_object *po)
{
	for (int i = 0; i < po->nr_progs; i++) {
		const struct patch_prog *a = &po->progs[i];

		for (int j = 0; j < po->nr_progs; j++) {
			const struct patch_prog *b = &po->progs[j];

			if (i == j || !patch_progs_same_func(a, b))
				continue;
			if (a->kind == BPFLP_KIND_REPLACE && b->kind == BPFLP_KIND_FMOD_RET) {
				p_err("%s: %s is replaced twice (BPFLP_REPLACE and BPFLP_FMOD_RET): keep one",
				      po->path, a->func);
				return -EINVAL;
			}
			if (a->companion) {
				p_err("%s: %s is replaced through the companion module, so the same patch cannot also attach %s to it: move the %s program to another patch",
				      po->path, a->func, bpflp_kind_name(b->kind),
				      bpflp_kind_name(b->kind));
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int classify_programs(struct patch_object *po)
{
	struct bpf_program *prog;
	int nr_tracing = 0, err;

	/* Counted first: a patch over the limit is refused before its targets are looked up. */
	bpf_object__for_each_program(prog, po->obj)
		nr_tracing += bpf_program__type(prog) == BPF_PROG_TYPE_TRACING;
	if (nr_tracing > BPFLP_MAX_FUNCS) {
		p_err("%s: %d programs, more than the %d a patch may hold: split the patch",
		      po->path, nr_tracing, BPFLP_MAX_FUNCS);
		return -E2BIG;
	}
	bpf_object__for_each_program(prog, po->obj) {
		if (bpf_program__type(prog) == BPF_PROG_TYPE_SYSCALL)
			err = classify_callback(po, prog);
		else if (bpf_program__type(prog) == BPF_PROG_TYPE_TRACING)
			err = classify_tracing(po, prog);
		else {
			p_err("%s: program '%s' in section '%s' is not a bpflp program: use BPFLP_FMOD_RET, BPFLP_FENTRY, BPFLP_FEXIT or BPFLP_CALLBACK",
			      po->path, bpf_program__name(prog), bpf_program__section_name(prog));
			err = -EINVAL;
		}
		if (err)
			return err;
	}
	err = check_companion_alone(po);
	if (err)
		return err;
	if (!po->nr_progs) {
		p_err("%s contains no patch programs: define at least one with BPFLP_FMOD_RET, BPFLP_FENTRY or BPFLP_FEXIT",
		      po->path);
		return -ENOENT;
	}
	return 0;
}

/*
 * Read the whole checked file into memory: libbpf parses exactly the bytes
 * that were hashed, whatever happens to the path afterwards.
 */
static int read_image(struct patch_object *po, int fd)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	po->image_size = st.st_size;
	po->image = malloc(po->image_size ?: 1);
	if (!po->image)
		return -ENOMEM;
	while (done < po->image_size) {
		n = pread(fd, (char *)po->image + done, po->image_size - done, done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* shrank under us */
		done += n;
	}
	return sha256(po->image, po->image_size, po->digest);
}

/* The canonical path goes in the record: refuse what the record cannot hold. */
static int resolve_path(struct patch_object *po)
{
	size_t len;

	if (!realpath(po->path, po->real_path)) {
		int err = -errno;

		p_err("cannot resolve the path of %s: %s", po->path, strerror(-err));
		return err;
	}
	len = strlen(po->real_path);
	if (len >= BPFLP_OBJECT_PATH_MAX) {
		p_err("%s: its full path is %zu bytes, bpflp records at most %d (ENAMETOOLONG): move the object to a shorter path",
		      po->path, len, BPFLP_OBJECT_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

int patch_object_open(struct patch_object *po, const char *path, bool allow_insecure)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	const char *base = strrchr(path, '/');
	int fd, err;

	memset(po, 0, sizeof(*po));
	if (try_snprintf(po->path, sizeof(po->path), "%s", path)) {
		p_err("cannot open patch object %.64s...: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	fd = open_checked(path, allow_insecure);
	if (fd < 0)
		return fd;
	err = read_image(po, fd);
	close(fd);
	if (err) {
		p_err("cannot read patch object %s: %s", path, strerror(-err));
		goto fail;
	}
	err = resolve_path(po);
	if (err)
		goto fail;
	opts.object_name = base ? base + 1 : path;
	attach_target_handlers();
	po->obj = bpf_object__open_mem(po->image, po->image_size, &opts);
	err = po->obj ? 0 : -errno;
	if (err == -ENOENT) {
		p_err("cannot parse BPF object %s: %s; was it built without BTF? build it with clang -g",
		      path, strerror(-err));
		goto fail;
	}
	if (err) {
		p_err("cannot parse BPF object %s: %s", path, strerror(-err));
		goto fail;
	}
	attach_target_skip_vmlinux_btf_all(po->obj);
	/* Without .rodata there is no index: every lookup finds nothing, and says what is missing. */
	po->rodata = bpf_rodata_index(po->obj);
	if (!po->rodata && errno != ENOENT) {
		err = -errno;
		p_err("cannot index the read-only data of %s: %s", path, strerror(-err));
		goto fail;
	}
	err = read_identity(po);
	if (!err)
		err = classify_programs(po);
	if (!err)
		err = patch_object_fingerprint(po);
	if (!err)
		err = shadow_scan(po);
	if (!err)
		err = patch_state_scan(po);
	if (!err)
		return 0;
fail:
	patch_object_close(po);
	return err;
}

/* The kernel ends a log with statistics; the reason is the line before them. */
static bool is_log_summary(const char *line)
{
	return !strncmp(line, "processed ", 10) || !strncmp(line, "verification time", 17) ||
	       !strncmp(line, "stack depth", 11) || !*line;
}

/* Last line of a verifier log that is not the statistics: usually the reason. */
static const char *log_reason(char *log)
{
	char *end = log + strlen(log), *line;

	for (;;) {
		while (end > log && (end[-1] == '\n' || end[-1] == ' '))
			*--end = '\0';
		line = end;
		while (line > log && line[-1] != '\n')
			line--;
		if (line == log || !is_log_summary(line))
			return line;
		end = line;
	}
}

/*
 * libbpf loads the programs in order, without a log, and loads the one the
 * kernel refused once more with a log: that program alone has one. But the
 * kernel can refuse after the verifier passed it (out of descriptors or
 * memory): then the log is a success's statistics and blames nobody.
 */
static void report_load_failure(struct patch_object *po, int err)
{
	struct bpf_program *prog, *refused = NULL;
	char *refused_log = NULL;
	/* Errors no program's code causes: then nobody's log explains them. */
	bool resources = err == -EMFILE || err == -ENFILE || err == -ENOMEM || err == -EPERM;
	int i = 0;

	bpf_object__for_each_program(prog, po->obj) {
		char *log = verifier_logs[i++];

		if (log[0]) {
			refused = prog;
			refused_log = log;
		}
	}
	if (refused && !resources) {
		pr_debug("verifier log of %s:\n%s\n", bpf_program__name(refused), refused_log);
		p_err("%s: the verifier rejected program '%s': %s (run with -v for the full log)",
		      po->path, bpf_program__name(refused), log_reason(refused_log));
	} else if (err == -EMFILE) {
		p_err("%s: cannot load: out of file descriptors (a patch holds about one per program and map while it loads): raise the hard limit, with 'ulimit -Hn' or LimitNOFILE= in a unit",
		      po->path);
	} else if (err == -EPERM) {
		p_err("%s: this kernel refuses to load tracing programs (EPERM before the verifier ran): fentry/fexit/fmod_ret are disabled here; run bpflp on a kernel that allows them (see the test VM)",
		      po->path);
	} else {
		p_err("%s: cannot load: %s (run with -v for details)", po->path, strerror(-err));
	}
}

/*
 * A patch may pin its own maps by name (to share state across versions).
 * A dry run pins nothing; a real load remembers which pins it creates so an
 * aborted apply can take them back.
 */
static int track_own_pins(struct patch_object *po, bool shared)
{
	struct bpf_map *map;
	struct stat st;

	po->nr_created_pins = 0;
	bpf_object__for_each_map(map, po->obj) {
		const char *pin = bpf_map__pin_path(map);

		if (!pin || store_is_shared_map(bpf_map__name(map)))
			continue;
		if (!shared) {
			bpf_map__set_pin_path(map, NULL);
			continue;
		}
		if (!stat(pin, &st))
			continue;
		if (po->nr_created_pins == (int)ARRAY_SIZE(po->created_pins)) {
			p_err("%s pins too many maps by name (at most %zu)", po->path,
			      ARRAY_SIZE(po->created_pins));
			return -E2BIG;
		}
		if (try_snprintf(po->created_pins[po->nr_created_pins++],
				 sizeof(po->created_pins[0]), "%s", pin)) {
			p_err("%s: map pin path %s is too long (at most %zu bytes)", po->path, pin,
			      sizeof(po->created_pins[0]) - 1);
			return -ENAMETOOLONG;
		}
	}
	return 0;
}

void patch_object_unpin_created(struct patch_object *po)
{
	for (int i = 0; i < po->nr_created_pins; i++)
		unlink(po->created_pins[i]);
	po->nr_created_pins = 0;
}

int patch_object_load(struct patch_object *po, __u32 slot, __u64 gen, bool shared)
{
	struct bpf_program *prog;
	struct bpf_map *stats;
	__u32 *rodata_slot;
	__u64 *rodata_gen;
	int err, i = 0;

	rodata_slot = bpf_rodata_find(po->rodata, "bpflp_slot", sizeof(*rodata_slot));
	rodata_gen = bpf_rodata_find(po->rodata, "bpflp_gen", sizeof(*rodata_gen));
	if (!rodata_slot || !rodata_gen)
		return -EINVAL;
	*rodata_slot = slot;
	*rodata_gen = gen;
	for (int p = 0; p < po->nr_progs; p++) {
		*po->progs[p].rodata_key = po->progs[p].func_key;
		*po->progs[p].rodata_idx = p; /* the record's function order (fill_meta) */
		*po->progs[p].rodata_snap = patch_snap_mode(po, &po->progs[p]);
	}
	stats = bpf_object__find_map_by_name(po->obj, PATCH_STATS_MAP);
	if (!stats) {
		p_err("%s was not built with bpflp/patch.bpf.h (no map bpflp_stats)", po->path);
		return -EINVAL;
	}
	err = bpf_map__set_max_entries(stats, po->nr_progs ?: 1);
	if (err)
		return err;
	for (size_t m = 0; shared && m < STORE_NR_SHARED_MAPS; m++) {
		if (!bpf_object__find_map_by_name(po->obj, store_shared_maps[m])) {
			p_err("%s was not built with bpflp/patch.bpf.h (no map %s)", po->path,
			      store_shared_maps[m]);
			return -EINVAL;
		}
	}
	err = shared ? share_maps(po->obj) : 0;
	if (!err)
		err = track_own_pins(po, shared);
	if (!err && shared)
		err = shadow_bind(po);
	if (err)
		return err;
	bpf_object__for_each_program(prog, po->obj)
		i++;
	free(verifier_logs);
	verifier_logs = calloc(i, sizeof(*verifier_logs));
	if (!verifier_logs)
		return -ENOMEM;
	i = 0;
	bpf_object__for_each_program(prog, po->obj) {
		verifier_logs[i][0] = '\0';
		bpf_program__set_log_buf(prog, verifier_logs[i++], VERIFIER_LOG_SIZE);
	}
	err = bpf_object__load(po->obj);
	if (err)
		report_load_failure(po, err);
	return err;
}

int patch_object_state_fd(const struct patch_object *po)
{
	const struct bpf_map *map = bpf_object__find_map_by_name(po->obj, BPFLP_STATE_SECTION);

	return bpf_map__fd(map ?: bpf_object__find_map_by_name(po->obj, "bpflp_state"));
}

int patch_object_check_gates(struct patch_object *po, int state_map_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(state_map_fd, &info, &len))
		return -errno;
	for (int i = 0; i < po->nr_progs; i++) {
		/* A kept program is not this load's: its own gate was checked when it was. */
		if (po->progs[i].kept || prog_uses_map(bpf_program__fd(po->progs[i].prog), info.id))
			continue;
		p_err("%s: program '%s' never reads the commit word: it bypasses the bpflp gate; define it with the BPFLP_* macros",
		      po->path, bpf_program__name(po->progs[i].prog));
		return -EINVAL;
	}
	return 0;
}

int patch_check_dispatchable(const struct patch_object *po)
{
	for (int i = 0; i < po->nr_progs; i++) {
		const struct patch_prog *pp = &po->progs[i];
		bool modret = pp->kind == BPFLP_KIND_FMOD_RET || pp->kind == BPFLP_KIND_REPLACE;

		if (!modret || pp->companion) {
			p_err("cannot apply %s with --dispatch: its %s program on %s %s; a stub runs fmod_ret programs on functions fmod_ret reaches only: apply it without --dispatch",
			      po->path, bpflp_kind_name(pp->kind), pp->func,
			      modret ? "takes the companion route" : "is not an fmod_ret program");
			return -EINVAL;
		}
		for (int j = 0; j < i; j++)
			if (po->progs[j].func_key == pp->func_key) {
				p_err("cannot apply %s with --dispatch: it has two programs on %s and a stub runs one; apply it without --dispatch",
				      po->path, pp->func);
				return -EINVAL;
			}
	}
	return 0;
}

bool patch_progs_same_func(const struct patch_prog *a, const struct patch_prog *b)
{
	return a->func_key == b->func_key && !strcmp(a->func, b->func);
}

bool patch_has_fexit_on(const struct patch_object *po, const char *func)
{
	for (int i = 0; i < po->nr_progs; i++)
		if (po->progs[i].kind == BPFLP_KIND_FEXIT && !strcmp(po->progs[i].func, func))
			return true;
	return false;
}

enum bpflp_snap_mode patch_snap_mode(const struct patch_object *po, const struct patch_prog *pp)
{
	if (pp->companion)
		return BPFLP_SNAP_COMPANION;
	return patch_has_fexit_on(po, pp->func) ? BPFLP_SNAP_EXIT : BPFLP_SNAP_ON_DEMAND;
}

void patch_object_close(struct patch_object *po)
{
	for (int i = 0; i < po->nr_progs; i++)
		if (po->progs[i].kept) {
			close(po->progs[i].kept_fd);
			po->progs[i].kept = false;
		}
	shadow_release(po);
	free(verifier_logs);
	verifier_logs = NULL;
	bpf_rodata_free(po->rodata);
	po->rodata = NULL;
	bpf_object__close(po->obj);
	po->obj = NULL;
	free(po->image);
	po->image = NULL;
}
