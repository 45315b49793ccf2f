/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The patch-authoring header. A patch is one BPF object:
 *
 *	#include "vmlinux.h"
 *	#include <bpflp/patch.bpf.h>
 *
 *	BPFLP_PATCH("cve-fixes", 2);
 *
 *	BPFLP_FMOD_RET(security_file_open, struct file *file)
 *	{
 *		return is_bad(file) ? -EPERM : 0;	// 0: run the original
 *	}
 *
 *	BPFLP_REPLACE(vfs_statfs, const struct path *path, struct kstatfs *buf)
 *	{
 *		return is_bad_path(path) ? -ENOSYS : 0;	// any traceable function
 *	}
 *
 *	BPFLP_REPLACE_ANY(vfs_truncate, const struct path *path, loff_t length)
 *	{
 *		if (!is_bad_path(path))
 *			return bpflp_run_original();
 *		return bpflp_skip(0);	// any value, 0 included (companion module)
 *	}
 *
 * Every program the macros define starts with the activation gate: it runs
 * the body only while the commit word says this patch is active and no
 * newer stacked patch covers the same function. The loader attaches a new
 * patch while its gate is shut and opens it, together with closing the old
 * ones, with one atomic write. Programs written without these macros have
 * no gate and the loader refuses them.
 */
#ifndef BPFLP_PATCH_BPF_H
#define BPFLP_PATCH_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpflp/abi.h"
#include "bpflp/companion.h"
#include "bpflp/maps.bpf.h"
#include "bpflp/shadow.bpf.h"
#include "bpflp/state.bpf.h"
#include "bpflp/snapshot.bpf.h"

/* bpflp's read-only variables go to a section of their own (abi.h). */
#define BPFLP__KNOB SEC(BPFLP_KNOB_SECTION)

/* Slot the loader assigns before load; the default keeps the gate shut. */
const volatile __u32 bpflp_slot BPFLP__KNOB = BPFLP_NO_SLOT;
/* Generation of this instance, armed in bpflp_armed while it is live. */
const volatile __u64 bpflp_gen BPFLP__KNOB = 0;

/*
 * Per-patch call and override counters, read by `bpflp show`: one entry
 * per program (bpflp_idx_<prog>), sized by the loader to the patch.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPFLP_MAX_FUNCS);
	__type(key, __u32);
	__type(value, struct bpflp_stat);
} bpflp_stats SEC(".maps");

/*
 * Where a BPFLP_REPLACE program run by the companion module leaves its
 * verdict (include/bpflp/companion.h): a fentry program must return 0.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpflp_verdict);
} bpflp_verdict SEC(".maps");

/* Patch identity: name matches [a-z0-9_-]{1,32}; version is unsigned. */
#define BPFLP_PATCH(patch_name, patch_version)                                                     \
	const volatile struct bpflp_patch_info bpflp_patch BPFLP__KNOB = {                         \
		.magic = BPFLP_MAGIC,                                                              \
		.abi_version = BPFLP_ABI_VERSION,                                                  \
		.name = patch_name,                                                                \
		.version = patch_version,                                                          \
	};                                                                                         \
	char LICENSE[] SEC("license") = "GPL"

/*
 * The gate's two uncommon paths are BPF-to-BPF calls, not inlined: the
 * common path (between transactions, one patch on the function) then keeps
 * its few values in registers, with no spill to the stack, and costs the
 * patched call only what it runs (docs/benchmarks.md, run H).
 */

/*
 * The word this call uses where it may straddle a commit or has programs on
 * exit: its snapshot entry's (snapshot.bpf.h), or the live word.
 */
static __noinline __u64 bpflp__snapshot_word(void *ctx, struct bpflp_state *state,
					     const volatile __u64 *func_key, __u32 on_entry,
					     __u32 snap_mode)
{
	__u32 slot = bpflp_slot;

	return bpflp__call_word(ctx, *func_key, slot, bpflp_gen, on_entry, false,
				snap_mode != BPFLP_SNAP_ON_DEMAND ||
					(*(volatile __u64 *)&state->snapped >> (slot & 63)) & 1);
}

/*
 * This patch is active in mask with others: is a newer one of them patching
 * this function (it wins where they overlap)?
 */
static __noinline int bpflp__newer_covers(const volatile __u64 *func_key, __u64 mask)
{
	__u64 newer, *cover, *order, key_func = *func_key;
	__u32 key_slot = bpflp_slot;

	order = bpf_map_lookup_elem(&bpflp_order, &key_slot);
	newer = order ? mask & *order : 0;
	if (!newer)
		return 0;
	cover = bpf_map_lookup_elem(&bpflp_cover, &key_func);
	return cover && (*cover & newer);
}

/*
 * Is this patch active for this call? state: bpflp_state's one value;
 * func_key: the program's rodata, read only off the common path;
 * snap_mode: enum bpflp_snap_mode, for this patch on the function; an
 * fexit program is always BPFLP_SNAP_EXIT.
 */
static __always_inline int bpflp__gate(struct bpflp_state *state, void *ctx,
				       const volatile __u64 *func_key, bool on_entry, __u32 snap_mode)
{
	__u32 slot = bpflp_slot;
	__u64 mask, bit;

	/*
	 * Tested only off the common path: a dispatched program (a stub
	 * tail-calls it, having read the word itself) reads no word, since a
	 * commit after the stub's read would shut it for a call the stub sent
	 * to it (docs/design.md, "Next").
	 */
	if (slot >= BPFLP_MAX_SLOTS)
		return slot == BPFLP_DISPATCH_SLOT;
	bit = 1ULL << slot;
	/*
	 * Between transactions the word cannot change, so every program of a
	 * call that runs only on entry reads the same word from the map. While
	 * one may flip it, and wherever the call has programs on exit, all of
	 * them use the word the call saw first (snapshot.bpf.h); only a patch
	 * whose drop runs at the call's end may push that entry.
	 */
	if (on_entry && snap_mode != BPFLP_SNAP_EXIT && !*(volatile __u64 *)&state->flux)
		mask = *(volatile __u64 *)&state->active_mask;
	else
		mask = bpflp__snapshot_word(ctx, state, func_key, on_entry, snap_mode);
	/*
	 * Alone in the word, the common case: active, and no newer patch can
	 * cover it. Bit 63 is the stubs' side bit, which every commit flips,
	 * and no slot this gate defers to: a patch an older bpflp put in slot
	 * 63 is older than any this header built (ABI 8, which no such bpflp
	 * loads), and its own gate, with bit 63 for bit, never matches here
	 * and takes the longer way.
	 */
	if ((mask & ~(1ULL << BPFLP_SIDE_BIT)) == bit)
		return 1;
	if (!(mask & bit))
		return 0;
	return !bpflp__newer_covers(func_key, mask);
}

/* idx: the program's rodata, read only when counting. */
static __always_inline void bpflp__count(struct bpflp_state *state, const volatile __u32 *idx,
					 int overridden)
{
	struct bpflp_stat *stat;
	__u32 key;

	/* `bpflp stats off`: the call costs what the gate and the body do. */
	if (*(volatile __u64 *)&state->stats_off)
		return;
	key = *idx;
	stat = bpf_map_lookup_elem(&bpflp_stats, &key);
	if (!stat)
		return;
	/* Atomic: a preempted program may share this CPU's entry with another. */
	__sync_fetch_and_add(&stat->calls, 1);
	if (overridden)
		__sync_fetch_and_add(&stat->overrides, 1);
}

/*
 * Shared body of the program macros: rodata the loader sets before load
 * (the target's BTF id, which the gate keys on; the program's counter
 * index; when it keeps a snapshot, enum bpflp_snap_mode), the gated
 * program, and the author's body to follow as ____bpflp_<prog>(), which
 * returns body_type; overrides says from its result `ret` whether the call
 * was replaced (for `bpflp show`), ret_expr what the program returns.
 * The rodata is static: libbpf 1.1 looks every global variable up among
 * the object's symbols, one scan each, which made opening a patch of N
 * functions cost N^2 (docs/benchmarks.md, run M); the loader finds static
 * ones by name in BTF all the same. Kept even where the program does not
 * read one (an fexit program's snapshot mode): the loader checks for all.
 */
#define BPFLP__KEPT __attribute__((used)) BPFLP__KNOB
/* Kept as written: clang-format 14 cannot lay out _Pragma in a macro body. */
/* clang-format off */
#define ___BPFLP_PROG(sec, func, prog, kind, body_type, overrides, ret_expr, args...) \
	static const volatile __u64 bpflp_fid_##prog BPFLP__KEPT = 0;		\
	static const volatile __u32 bpflp_idx_##prog BPFLP__KEPT = 0;		\
	static const volatile __u32 bpflp_snap_##prog BPFLP__KEPT =		\
		BPFLP_SNAP_ON_DEMAND;						\
	static __always_inline body_type ____bpflp_##prog(unsigned long long *ctx, ##args); \
	SEC(sec #func)								\
	int prog(unsigned long long *ctx)					\
	{									\
		struct bpflp_state *state = bpflp__state();			\
		body_type ret;							\
		if (!bpflp__gate(state, ctx, &bpflp_fid_##prog,			\
				 kind != BPFLP_KIND_FEXIT,				\
				 kind == BPFLP_KIND_FEXIT ? BPFLP_SNAP_EXIT :		\
							    bpflp_snap_##prog))		\
			return 0;						\
		_Pragma("GCC diagnostic push")					\
		_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")		\
		ret = ____bpflp_##prog(___bpf_ctx_cast(args));			\
		_Pragma("GCC diagnostic pop")					\
		(void)ret; /* an observer's result counts for nothing */	\
		bpflp__count(state, &bpflp_idx_##prog, overrides);		\
		return ret_expr;						\
	}									\
	static __always_inline body_type ____bpflp_##prog(unsigned long long *ctx, ##args)
/* clang-format on */

/* Replace func's behaviour: return 0 to run the original, else the value it returns. */
#define BPFLP_FMOD_RET(func, args...)                                                              \
	___BPFLP_PROG("fmod_ret/", func, func##__ret, BPFLP_KIND_FMOD_RET, int, ret != 0, ret,     \
		      ##args)

/*
 * A BPFLP_REPLACE body's result, as its route needs it: returned, for
 * fmod_ret; as a verdict for the companion module, whose programs are
 * fentry ones (the loader sets companion before load, so the verifier
 * sees one path only).
 */
static __always_inline int bpflp__replace_result(__u32 companion, int ret)
{
	struct bpflp_verdict *verdict;
	__u32 zero = 0;

	if (!companion)
		return ret;
	/* Looked up even for a body that never overrides: the module finds the map through it. */
	verdict = bpf_map_lookup_elem(&bpflp_verdict, &zero);
	if (ret && verdict) {
		verdict->value = (__s64)ret;
		verdict->set = 1;
	}
	return 0;
}

/*
 * Replace any traceable function: return 0 to run the original, else the
 * value it returns (an int, sign-extended for a long or a pointer: -ENOENT
 * is ERR_PTR(-ENOENT)); for a void function any non-zero value skips its
 * body. To return 0, false or NULL, use BPFLP_REPLACE_ANY. The loader
 * picks the route: fmod_ret where the kernel allows it (security_* hooks,
 * error-injection functions), the companion module elsewhere. The
 * arguments are typed from func's BTF either way; bpflp_proto_<func>
 * records the body's prototype so the loader can check it against the
 * kernel's.
 */
#define BPFLP_REPLACE(func, args...)                                                               \
	static const volatile __u32 bpflp_companion_##func##__replace BPFLP__KEPT = 0;             \
	static int (*const volatile bpflp_proto_##func)(int, ##args) BPFLP__KEPT = 0;              \
	___BPFLP_PROG("fmod_ret/", func, func##__replace, BPFLP_KIND_REPLACE, int, ret != 0,       \
		      bpflp__replace_result(bpflp_companion_##func##__replace, ret), ##args)

/*
 * What a BPFLP_REPLACE_ANY body returns: bpflp_skip(value) skips the
 * function, which returns value instead (any value: 0, false and NULL
 * included; a void function's value is ignored); bpflp_run_original()
 * lets the function run. A struct and not a number, so that no value is
 * set aside to mean "run the original", and a body returning a bare
 * number (BPFLP_REPLACE's convention) does not compile.
 */
struct bpflp_return {
	__u64 skip;
	__s64 value;
};

#define bpflp_skip(val)      ((struct bpflp_return){ .skip = 1, .value = (__s64)(val) })
#define bpflp_run_original() ((struct bpflp_return){ .skip = 0, .value = 0 })

/* A BPFLP_REPLACE_ANY body's result, as the companion module reads it (always that route). */
static __always_inline int bpflp__any_result(struct bpflp_return r)
{
	struct bpflp_verdict *verdict;
	__u32 zero = 0;

	/* Looked up even for a body that never skips: the module finds the map through it. */
	verdict = bpf_map_lookup_elem(&bpflp_verdict, &zero);
	if (r.skip && verdict) {
		verdict->value = r.value;
		verdict->set = 1;
	}
	return 0;
}

/*
 * Replace any traceable function of vmlinux with any return value: the
 * body returns bpflp_skip(value) or bpflp_run_original(). fmod_ret cannot
 * do that (its trampoline runs the original whenever the program returns
 * 0), so these programs always take the companion module's route, even on
 * a security_* hook: they are fentry programs (the module runs them, a
 * trampoline never does), and the loader reads the section and the
 * program's name (fentry/<func>, <func>__replace) as "companion only";
 * a bpflp that predates this macro refuses the object instead of running
 * the original on every call. Same argument rules and prototype check as
 * BPFLP_REPLACE; at most one of the two per function.
 */
#define BPFLP_REPLACE_ANY(func, args...)                                                           \
	static int (*const volatile bpflp_proto_##func)(int, ##args) BPFLP__KEPT = 0;              \
	___BPFLP_PROG("fentry/", func, func##__replace, BPFLP_KIND_REPLACE, struct bpflp_return,   \
		      ret.skip != 0, bpflp__any_result(ret), ##args)

/* Observe func's entry. The body's return value is ignored. */
#define BPFLP_FENTRY(func, args...)                                                                \
	___BPFLP_PROG("fentry/", func, func##__entry, BPFLP_KIND_FENTRY, int, 0, 0, ##args)

/* Observe func's exit; the last argument is its return value. */
#define BPFLP_FEXIT(func, args...)                                                                 \
	___BPFLP_PROG("fexit/", func, func##__exit, BPFLP_KIND_FEXIT, int, 0, 0, ##args)

/*
 * The livepatch module this patch carries (a klp_patch with .replace =
 * true, for fixes a return value cannot express), shipped as name.ko beside
 * the object: `bpflp apply OBJ` applies both in one transaction, as
 * `--module name.ko` does.
 */
#define BPFLP_LIVEPATCH(module_name)                                                               \
	const volatile char bpflp_livepatch[BPFLP_LIVEPATCH_NAME_MAX] BPFLP__KNOB = module_name

/*
 * Callbacks, run by the loader with BPF_PROG_TEST_RUN: pre_patch (non-zero
 * aborts the apply with nothing changed), post_patch, pre_unpatch,
 * post_unpatch. Only the incoming patch's callbacks run on a replace.
 */
#define BPFLP_CALLBACK(which) SEC("syscall") int bpflp_##which(void *ctx)

#endif /* BPFLP_PATCH_BPF_H */
