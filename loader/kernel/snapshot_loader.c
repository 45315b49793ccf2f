// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "attach_target.h"
#include "commit.h"
#include "kernel_func.h"
#include "log.h"
#include "snapshot.skel.h"
#include "snapshot_loader.h"
#include "util.h"

#ifndef offsetofend
#define offsetofend(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
#endif

/* One program as libbpf loaded the template: what bpf_prog_load() got. */
struct prog_image {
	const struct bpf_insn *insns; /* relocated: map fds are the template's */
	size_t insn_cnt;
	struct bpf_prog_load_opts attr; /* BTF, func and line info; their memory is the template's */
	bool captured;
};

struct snapshot_loader {
	struct snapshot *skel; /* the template, kept open: the images point into it */
	int rodata_fd;         /* the template's .rodata, replaced per function */
	struct prog_image take, drop;
	/* While the template loads: its target, for the capture hook. */
	__u32 template_btf_id;
	int template_btf_obj_fd;
	bool template_companion;
};

struct snapshot_loader *snapshot_loader_new(void)
{
	struct snapshot_loader *sl = calloc(1, sizeof(*sl));

	if (sl)
		sl->rodata_fd = -1;
	return sl;
}

void snapshot_loader_free(struct snapshot_loader *sl)
{
	if (!sl)
		return;
	snapshot__destroy(sl->skel);
	free(sl);
}

/*
 * libbpf's last step before it loads each template program: give it the
 * target bpflp knows (so libbpf looks no name up) and keep what it loads.
 */
static int capture_load_attr(struct bpf_program *prog, struct bpf_prog_load_opts *opts, long cookie)
{
	struct snapshot_loader *sl = (struct snapshot_loader *)cookie;
	bool take = prog == sl->skel->progs.bpflp_take;
	struct prog_image *img = take ? &sl->take : &sl->drop;

	/* libbpf frees fd_array after load: the copies below could not use it. */
	if (opts->fd_array)
		return -EPROTO;
	opts->attach_btf_id = sl->template_btf_id;
	opts->attach_btf_obj_fd = sl->template_btf_obj_fd;
	opts->attach_prog_fd = 0; /* attach_target_skip_vmlinux_btf's mark */
	/* As the function's own drop will be loaded: the kernel checks fexit and fentry apart. */
	if (!take && sl->template_companion)
		opts->expected_attach_type = BPF_TRACE_FENTRY;
	img->attr = *opts;
	/* This build's size: a newer libbpf.so must not read or write past our copy. */
	img->attr.sz = sizeof(img->attr);
	img->captured = true;
	return 0;
}

/*
 * libbpf before 1.3 frees its table of custom handlers when the last one is
 * unregistered but keeps the pointer, so registering again reallocs freed
 * memory. One handler for a section nobody names stays registered for the
 * life of the process: the table never empties.
 */
static int keep_handler_table(void)
{
	static int keeper_id;

	if (!keeper_id)
		keeper_id = libbpf_register_prog_handler("bpflp.no-such-section",
							 BPF_PROG_TYPE_UNSPEC, 0, NULL);
	return keeper_id < 0 ? keeper_id : 0;
}

/*
 * libbpf loads the template against the first function asked for. The
 * handlers stand in for libbpf's own "fentry" and "fexit" only while this
 * one object opens and loads: bpflp opens nothing else meanwhile.
 */
static int load_template(struct snapshot_loader *sl, const struct snapshot_target *t,
			 bool companion, int btf_obj_fd)
{
	LIBBPF_OPTS(libbpf_prog_handler_opts, hopts, .cookie = (long)sl,
		    .prog_prepare_load_fn = capture_load_attr);
	int entry_id = 0, exit_id = 0, err;

	err = keep_handler_table();
	if (err)
		return err;
	sl->template_btf_id = (__u32)t->func_key;
	sl->template_btf_obj_fd = btf_obj_fd;
	sl->template_companion = companion;
	entry_id = libbpf_register_prog_handler("fentry", BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY,
						&hopts);
	exit_id = libbpf_register_prog_handler("fexit", BPF_PROG_TYPE_TRACING, BPF_TRACE_FEXIT,
					       &hopts);
	if (entry_id < 0 || exit_id < 0) {
		err = entry_id < 0 ? entry_id : exit_id;
		goto out;
	}
	sl->skel = snapshot__open();
	if (!sl->skel) {
		err = -errno;
		goto out;
	}
	attach_target_skip_vmlinux_btf(sl->skel->progs.bpflp_take);
	attach_target_skip_vmlinux_btf(sl->skel->progs.bpflp_drop);
	err = share_maps(sl->skel->obj);
	if (!err)
		err = snapshot__load(sl->skel);
	if (!err && !(sl->take.captured && sl->drop.captured))
		err = -EPROTO; /* libbpf did not call the hook: another libbpf */
	if (err) {
		snapshot__destroy(sl->skel);
		sl->skel = NULL;
		goto out;
	}
	sl->rodata_fd = bpf_map__fd(sl->skel->maps.rodata);
	sl->take.insns = bpf_program__insns(sl->skel->progs.bpflp_take);
	sl->take.insn_cnt = bpf_program__insn_cnt(sl->skel->progs.bpflp_take);
	sl->drop.insns = bpf_program__insns(sl->skel->progs.bpflp_drop);
	sl->drop.insn_cnt = bpf_program__insn_cnt(sl->skel->progs.bpflp_drop);
out:
	/* After load libbpf no longer looks at the handlers (nothing here attaches). */
	if (entry_id > 0)
		libbpf_unregister_prog_handler(entry_id);
	if (exit_id > 0)
		libbpf_unregister_prog_handler(exit_id);
	return err;
}

/* A frozen .rodata like the template's, holding t's constants: an fd or -errno. */
static int create_rodata(struct snapshot_loader *sl, const struct snapshot_target *t)
{
	const struct bpf_map *tmpl = sl->skel->maps.rodata;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = bpf_map__map_flags(tmpl),
		    .btf_fd = bpf_object__btf_fd(sl->skel->obj),
		    .btf_value_type_id = bpf_map__btf_value_type_id(tmpl));
	size_t size = bpf_map__value_size(tmpl);
	struct snapshot__rodata *ro;
	__u32 zero = 0;
	int fd, err = 0;

	/* The section can end before the skeleton's struct does (its tail padding). */
	if (size < offsetofend(struct snapshot__rodata, exit_side))
		return -EPROTO;
	ro = calloc(1, size > sizeof(*ro) ? size : sizeof(*ro));
	if (!ro)
		return -ENOMEM;
	memcpy(ro, sl->skel->rodata, size);
	ro->target_key = t->func_key;
	ro->slot = t->slot;
	ro->gen = t->gen;
	ro->exit_side = t->exit_side;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, bpf_map__name(tmpl), sizeof(zero), size, 1, &opts);
	if (fd < 0)
		err = -errno;
	/* Frozen, as libbpf leaves .rodata: the verifier then folds the constants. */
	else if (bpf_map_update_elem(fd, &zero, ro, 0) || bpf_map_freeze(fd))
		err = -errno;
	free(ro);
	if (err && fd >= 0)
		close(fd);
	return err ?: fd;
}

/*
 * The template's instructions with rodata_fd in place of its .rodata, in
 * *out (to free). Only references that stay valid while the template is
 * open may remain: its maps by fd, and its subprograms. A kernel symbol's
 * BTF (BPF_PSEUDO_BTF_ID) names a module BTF fd libbpf closed after load:
 * -EPROTO, rather than load a copy that points at whatever has that fd now.
 */
static int retarget_rodata(const struct snapshot_loader *sl, const struct prog_image *img,
			   int rodata_fd, struct bpf_insn **out)
{
	struct bpf_insn *insns = malloc(img->insn_cnt * sizeof(*insns));

	if (!insns)
		return -ENOMEM;
	memcpy(insns, img->insns, img->insn_cnt * sizeof(*insns));
	for (size_t i = 0; i + 1 < img->insn_cnt; i++) {
		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (insns[i].src_reg == BPF_PSEUDO_MAP_VALUE && insns[i].imm == sl->rodata_fd)
			insns[i].imm = rodata_fd;
		else if (insns[i].src_reg != 0 && insns[i].src_reg != BPF_PSEUDO_MAP_FD &&
			 insns[i].src_reg != BPF_PSEUDO_MAP_VALUE &&
			 insns[i].src_reg != BPF_PSEUDO_FUNC) {
			free(insns);
			return -EPROTO;
		}
		i++; /* the second half of the 16-byte load */
	}
	*out = insns;
	return 0;
}

/* With -v: load again, for the verifier's account of why it refused. */
static void print_verifier_log(const char *name, const char *func, const struct bpf_insn *insns,
			       size_t insn_cnt, struct bpf_prog_load_opts *attr)
{
	size_t size = 1 << 20;
	int fd;

	attr->log_buf = calloc(1, size);
	if (!attr->log_buf)
		return;
	attr->log_size = size;
	attr->log_level = 1;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL", insns, insn_cnt, attr);
	if (fd >= 0)
		close(fd);
	pr_debug("%s on %s: -- verifier log --\n%s-- end of verifier log --\n", name, func,
		 attr->log_buf);
	free(attr->log_buf);
	attr->log_buf = NULL;
}

/* Load one program of the template for t: an fd or -errno. */
static int load_one(struct snapshot_loader *sl, const struct prog_image *img, const char *name,
		    enum bpf_attach_type type, const struct snapshot_target *t, int rodata_fd,
		    int btf_obj_fd)
{
	struct bpf_prog_load_opts attr = img->attr;
	struct bpf_insn *insns;
	int fd, err;

	err = retarget_rodata(sl, img, rodata_fd, &insns);
	if (err)
		return err;
	attr.expected_attach_type = type;
	attr.attach_btf_id = (__u32)t->func_key;
	attr.attach_btf_obj_fd = btf_obj_fd;
	attr.log_buf = NULL;
	attr.log_size = 0;
	attr.log_level = 0;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, name, "GPL", insns, img->insn_cnt, &attr);
	err = fd < 0 ? -errno : 0;
	if (err && log_max_level >= LOG_DEBUG)
		print_verifier_log(name, t->func, insns, img->insn_cnt, &attr);
	free(insns);
	return err ?: fd;
}

int snapshot_loader_load(struct snapshot_loader *sl, const struct snapshot_target *t,
			 bool companion, int *take_fd, int *drop_fd)
{
	int btf_obj_fd, rodata_fd = -1, fd, err = 0;

	btf_obj_fd = kernel_func_btf_obj_fd(t->func_key);
	if (btf_obj_fd < 0)
		return btf_obj_fd;
	if (!sl->skel)
		err = load_template(sl, t, companion, btf_obj_fd);
	if (!err) {
		rodata_fd = create_rodata(sl, t);
		if (rodata_fd < 0)
			err = rodata_fd;
	}
	if (!err && take_fd) {
		fd = load_one(sl, &sl->take, "bpflp_take", BPF_TRACE_FENTRY, t, rodata_fd,
			      btf_obj_fd);
		if (fd < 0)
			err = fd;
		else
			*take_fd = fd;
	}
	if (!err) {
		fd = load_one(sl, &sl->drop, "bpflp_drop",
			      companion ? BPF_TRACE_FENTRY : BPF_TRACE_FEXIT, t, rodata_fd,
			      btf_obj_fd);
		if (fd < 0) {
			err = fd;
			if (take_fd) {
				close(*take_fd);
				*take_fd = -1;
			}
		} else {
			*drop_fd = fd;
		}
	}
	if (rodata_fd >= 0)
		close(rodata_fd); /* the programs hold it */
	return err;
}

int kernel_probe_tracing(char *why, size_t size)
{
	static const char *const targets[] = { "bpf_fentry_test1", "security_file_open" };
	struct snapshot *skel;
	int err = -ENOENT;

	/* Load (not attach) bpflp's own fentry/fexit pair on a function every kernel traces. */
	for (size_t i = 0; i < ARRAY_SIZE(targets) && err == -ENOENT; i++) {
		if (kernel_func_btf_id(targets[i]) < 0)
			continue;
		skel = snapshot__open();
		if (!skel)
			return -errno;
		err = bpf_program__set_attach_target(skel->progs.bpflp_take, 0, targets[i]) ?:
			      bpf_program__set_attach_target(skel->progs.bpflp_drop, 0, targets[i]) ?:
			      snapshot__load(skel);
		snapshot__destroy(skel);
	}
	if (err == -EPERM)
		snprintf(why, size,
			 "this kernel refuses to load fentry/fexit programs (EPERM before the verifier runs): bpflp cannot patch it; run it on a kernel that allows BPF trampolines (see the test VM)");
	else if (err == -ENOENT)
		snprintf(why, size,
			 "this kernel has no BTF for the functions bpflp probes with: bpflp needs CONFIG_DEBUG_INFO_BTF");
	else if (err)
		snprintf(why, size, "this kernel cannot load bpflp's fentry/fexit programs: %s",
			 strerror(-err));
	return err;
}
