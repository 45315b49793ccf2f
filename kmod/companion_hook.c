// SPDX-License-Identifier: GPL-2.0
/*
 * The mechanism: an ftrace handler with FTRACE_OPS_FL_IPMODIFY on each
 * target runs the patches' BPF programs with the call's arguments and,
 * when one leaves a verdict, makes the function return it at once: rax
 * gets the value and the saved ip points at a bare `ret`, so the body
 * never runs (kernel/fail_function.c does the same from a kprobe).
 *
 * The programs are fentry programs loaded against the target, so the
 * verifier types their arguments from the target's BTF. They are never
 * attached to a trampoline: this module runs them, the way a trampoline
 * would (recursion counter, run context, func ip and argument count at
 * ctx[-2] and ctx[-1] for the helpers the verifier inlines).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/filter.h>
#include <linux/module.h>
#include <linux/objtool.h>
#include <linux/slab.h>
#include <linux/trace_recursion.h>
#include <asm/linkage.h>
#include "companion.h"

LIST_HEAD(companion_targets);
DEFINE_MUTEX(companion_mutex);
static unsigned int nr_attachments;

/* Where an overridden call resumes: straight back to its caller, rax kept. */
asmlinkage void bpflp_companion_return(void);
/* Laid out as checkpatch wants: clang-format would indent it otherwise. */
/* clang-format off */
asm(".text\n"
	".type bpflp_companion_return, @function\n"
	".globl bpflp_companion_return\n"
	"bpflp_companion_return:\n"
	ANNOTATE_NOENDBR
	ASM_RET
	".size bpflp_companion_return, .-bpflp_companion_return\n");
/* clang-format on */

/* As __bpf_prog_enter/exit do for a trampoline: one run per CPU at a time. */
static void notrace run_prog(struct bpf_prog *prog, u64 *ctx, u64 __percpu *misses)
{
	struct bpf_tramp_run_ctx run_ctx = {};
	struct bpf_run_ctx *old;

	if (likely(this_cpu_inc_return(*prog->active) == 1)) {
		old = bpf_set_run_ctx(&run_ctx.run_ctx);
		bpf_prog_run(prog, ctx);
		bpf_reset_run_ctx(old);
	} else {
		this_cpu_inc(*misses);
	}
	this_cpu_dec(*prog->active);
}

/*
 * Run a replacing program; true (and *value) if it left a verdict. The
 * verdict slot is this CPU's: an interrupt that runs a patched function
 * between the program's write and this read saves and restores it too.
 */
static bool notrace run_replace(struct companion_target *t, struct companion_attachment *a,
				u64 *ctx, u64 *value)
{
	struct bpf_map *map = a->verdict_map;
	struct bpflp_verdict *verdict, saved;
	u32 zero = 0;
	bool set;

	verdict = map->ops->map_lookup_elem(map, &zero);
	if (unlikely(!verdict))
		return false;
	saved = *verdict;
	verdict->set = 0;
	run_prog(a->prog, ctx, t->misses);
	set = READ_ONCE(verdict->set);
	*value = READ_ONCE(verdict->value);
	*verdict = saved;
	this_cpu_inc(*a->calls);
	if (set)
		this_cpu_inc(*a->overrides);
	return set;
}

/* Append to seen[] the target's attachments not in it yet; returns the new count. */
static int notrace collect_attachments(struct companion_target *t,
				       struct companion_attachment **seen, int nr)
{
	struct companion_attachment *a;

	list_for_each_entry_rcu(a, &t->attachments, node) {
		bool known = false;

		for (int i = 0; i < nr && !known; i++)
			known = seen[i] == a;
		if (!known && nr < BPFLP_COMPANION_MAX_PER_TARGET)
			seen[nr++] = a;
	}
	return nr;
}

static void notrace companion_handler(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct companion_target *t = container_of(ops, struct companion_target, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);
	struct companion_attachment *seen[BPFLP_COMPANION_MAX_PER_TARGET];
	u64 frame[2 + BPFLP_COMPANION_MAX_ARGS], *ctx = &frame[2];
	int bit, nr = 0, ran = 0, i;
	unsigned int seq, seen_seq = 0;
	bool override = false;
	u64 value = 0;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0 || !regs) {
		this_cpu_inc(*t->misses); /* the call runs unpatched: say so */
		goto out;
	}
	frame[0] = t->addr;
	frame[1] = t->nr_args;
	ctx[0] = regs->di;
	ctx[1] = regs->si;
	ctx[2] = regs->dx;
	ctx[3] = regs->cx;
	ctx[4] = regs->r8;
	ctx[5] = regs->r9;
	rcu_read_lock();
	/*
	 * The drops must run for exactly the programs whose gates did, even if
	 * bpflp detaches one meanwhile, or a gate's mark would keep the call's
	 * snapshot entry on the task's stack and a later call would use its
	 * stale word: so the programs of the call are collected in seen[],
	 * valid until rcu_read_unlock().
	 *
	 * The first gate fixes the call's commit word, after the list was
	 * read. If a commit landed in between, the word may name a patch
	 * attached after the read: attach bumps t->seq before any commit can
	 * enable the patch, so a changed seq sends the call back to the list
	 * for what it missed, whose gates then use the same word.
	 */
	for (int pass = 0; pass < 4 && !override; pass++) {
		seq = smp_load_acquire(&t->seq); /* pairs with companion_attach()'s release */
		if (pass && seq == seen_seq)
			break;
		seen_seq = seq;
		nr = collect_attachments(t, seen, nr);
		/* Newest first; the first verdict wins and the older ones do not run (fmod_ret's rule). */
		for (; ran < nr && !override; ran++)
			override = run_replace(t, seen[ran], ctx, &value);
	}
	/* The call is over for these programs: each patch's drop pops its mark. */
	for (i = 0; i < nr; i++)
		run_prog(seen[i]->drop, ctx, t->misses);
	rcu_read_unlock();
	if (override) {
		regs->ax = value;
		regs->ip = (unsigned long)bpflp_companion_return;
	}
out:
	if (bit >= 0)
		ftrace_test_recursion_unlock(bit);
}

/* The function a program was loaded against: its trampoline's, kept until attached. */
static struct bpf_trampoline *prog_target(const struct bpf_prog *prog)
{
	if (prog->type != BPF_PROG_TYPE_TRACING || prog->expected_attach_type != BPF_TRACE_FENTRY)
		return NULL;
	return prog->aux->dst_trampoline;
}

static struct bpf_map *find_verdict_map(struct bpf_prog *prog)
{
	struct bpf_map *found = NULL;

	mutex_lock(&prog->aux->used_maps_mutex);
	for (u32 i = 0; i < prog->aux->used_map_cnt && !found; i++) {
		struct bpf_map *map = prog->aux->used_maps[i];

		if (!strcmp(map->name, "bpflp_verdict") &&
		    map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY &&
		    map->value_size == sizeof(struct bpflp_verdict) && map->max_entries >= 1)
			found = map;
	}
	if (found)
		bpf_map_inc(found);
	mutex_unlock(&prog->aux->used_maps_mutex);
	return found;
}

static struct companion_attachment *find_attachment(u32 prog_id, struct companion_target **target)
{
	struct companion_target *t;
	struct companion_attachment *a;

	list_for_each_entry(t, &companion_targets, node)
		list_for_each_entry(a, &t->attachments, node)
			if (a->prog->aux->id == prog_id) {
				*target = t;
				return a;
			}
	return NULL;
}

static void free_target(struct companion_target *t)
{
	ftrace_free_filter(&t->ops); /* the filter hash ftrace_set_filter_ip() made */
	free_percpu(t->misses);
	kfree(t);
}

/*
 * The handler hands the program one register per argument, as a trampoline
 * lays out scalars and pointers; a struct passed by value takes two
 * registers or the stack. Other flags describe the value, not where it
 * sits: newer kernels mark signed integers (BTF_FMODEL_SIGNED_ARG) for the
 * JITs that must widen them (s390x); an x86-64 trampoline saves the
 * register as it is, and so does this handler.
 */
static bool arg_in_one_register(const struct btf_func_model *model, int i)
{
	return !(model->arg_flags[i] & BTF_FMODEL_STRUCT_ARG) && model->arg_size[i] <= sizeof(u64);
}

static int get_target(unsigned long addr, const struct btf_func_model *model,
		      struct companion_target **target)
{
	struct companion_target *t;
	int err;

	list_for_each_entry(t, &companion_targets, node)
		if (t->addr == addr) {
			*target = t;
			return 0;
		}
	if (model->nr_args > BPFLP_COMPANION_MAX_ARGS)
		return -E2BIG;
	for (int i = 0; i < model->nr_args; i++)
		if (!arg_in_one_register(model, i))
			return -EOPNOTSUPP;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->misses = alloc_percpu(u64);
	if (!t->misses) {
		kfree(t);
		return -ENOMEM;
	}
	t->addr = addr;
	t->nr_args = model->nr_args;
	INIT_LIST_HEAD(&t->attachments);
	t->ops.func = companion_handler;
	/* RCU: the programs need it watching; an idle-path call then runs unpatched. */
	t->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_RCU;
	err = ftrace_set_filter_ip(&t->ops, addr, 0, 0);
	if (!err)
		err = register_ftrace_function(&t->ops);
	if (err) {
		free_target(t);
		return err;
	}
	list_add(&t->node, &companion_targets);
	*target = t;
	return 0;
}

static void free_attachment(struct companion_attachment *a)
{
	bpf_prog_put(a->prog);
	bpf_prog_put(a->drop);
	bpf_map_put(a->verdict_map);
	free_percpu(a->calls);
	free_percpu(a->overrides);
	kfree(a);
}

int companion_attach(struct bpf_prog *prog, struct bpf_prog *drop)
{
	struct bpf_trampoline *tr = prog_target(prog), *drop_tr = prog_target(drop);
	struct companion_attachment *a;
	struct companion_target *t;
	int err;

	if (!tr || !drop_tr || tr->func.addr != drop_tr->func.addr || !tr->func.addr)
		return -EINVAL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->calls = alloc_percpu(u64);
	a->overrides = alloc_percpu(u64);
	a->verdict_map = find_verdict_map(prog);
	if (!a->calls || !a->overrides || !a->verdict_map) {
		err = a->verdict_map ? -ENOMEM : -EINVAL;
		goto free;
	}
	mutex_lock(&companion_mutex);
	err = -EEXIST;
	if (find_attachment(prog->aux->id, &t))
		goto unlock;
	err = -E2BIG;
	if (nr_attachments >= BPFLP_COMPANION_MAX_ATTACH)
		goto unlock;
	err = get_target((unsigned long)tr->func.addr, &tr->func.model, &t);
	if (err)
		goto unlock;
	err = -E2BIG;
	if (list_count_nodes(&t->attachments) >= BPFLP_COMPANION_MAX_PER_TARGET)
		goto unlock;
	a->prog = prog;
	a->drop = drop;
	list_add_rcu(&a->node, &t->attachments);
	/* After the add, before any commit can enable it: see companion_handler(). */
	smp_store_release(&t->seq, t->seq + 1);
	nr_attachments++;
	__module_get(THIS_MODULE);
	mutex_unlock(&companion_mutex);
	return 0;
unlock:
	mutex_unlock(&companion_mutex);
free:
	if (a->verdict_map)
		bpf_map_put(a->verdict_map);
	free_percpu(a->calls);
	free_percpu(a->overrides);
	kfree(a);
	return err;
}

int companion_detach(u32 prog_id)
{
	struct companion_attachment *a;
	struct companion_target *t;

	mutex_lock(&companion_mutex);
	a = find_attachment(prog_id, &t);
	if (!a) {
		mutex_unlock(&companion_mutex);
		return -ENOENT;
	}
	list_del_rcu(&a->node);
	nr_attachments--;
	if (list_empty(&t->attachments)) {
		/* Returns once no CPU can be in the handler: only then free the ops. */
		unregister_ftrace_function(&t->ops);
		list_del(&t->node);
		free_target(t);
	}
	mutex_unlock(&companion_mutex);
	synchronize_rcu(); /* handlers that still saw a are done with it */
	free_attachment(a);
	module_put(THIS_MODULE);
	return 0;
}
