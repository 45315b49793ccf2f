// SPDX-License-Identifier: GPL-2.0
/*
 * Routes that need no kernel: the decision from gathered facts, the
 * prototype rules on a BTF built here, kallsyms lines, and the module file
 * check on a module that is not the companion.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "companion_kmod.h"
#include "route.h"

static char reason[512];

/* A traceable, unique vmlinux function with a replaceable prototype; tests spoil one fact. */
static struct func_facts traceable_func(void)
{
	struct func_facts f = {
		.btf_id = 42,
		.traceable = 1,
		.traceable_source = "/sys/kernel/tracing/available_filter_functions",
		.ksyms = { .vmlinux = 1 },
		.proto = PROTO_REPLACEABLE,
	};

	snprintf(f.proto_why, sizeof(f.proto_why), "3 arguments");
	return f;
}

static int decide(const char *func, const struct func_facts *f)
{
	return route_decide(func, f, reason, sizeof(reason));
}

static void test_decide_replaceable(void **state)
{
	struct func_facts f = traceable_func();

	(void)state;
	assert_int_equal(decide("do_unlinkat", &f), ROUTE_COMPANION);
	assert_string_equal(reason, "traceable, 3 arguments: the companion module replaces it");

	f.modifiable = f.security_hook = true;
	assert_int_equal(decide("security_file_open", &f), ROUTE_FMOD_RET);
	assert_string_equal(reason, "an LSM hook (security_*): fmod_ret replaces it");
	f.security_hook = false;
	assert_int_equal(decide("should_failslab", &f), ROUTE_FMOD_RET);
	assert_string_equal(reason, "on the error-injection list: fmod_ret replaces it");
}

static void test_decide_observe_only(void **state)
{
	struct func_facts f = traceable_func();

	(void)state;
	f.companion_err = -ENOENT;
	snprintf(f.companion_why, sizeof(f.companion_why), "no bpflp_companion.ko");
	assert_int_equal(decide("do_unlinkat", &f), ROUTE_OBSERVE_ONLY);
	assert_string_equal(reason, "companion module unusable: no bpflp_companion.ko");

	f = traceable_func();
	f.proto = PROTO_TRACE_ONLY;
	snprintf(f.proto_why, sizeof(f.proto_why), "argument 2 (p) is a struct passed by value");
	assert_int_equal(decide("f", &f), ROUTE_OBSERVE_ONLY);
	assert_string_equal(reason, "argument 2 (p) is a struct passed by value");

	/* Several statics of one name: the first in kallsyms is attached, whatever the BTF says. */
	f = traceable_func();
	f.ksyms.vmlinux = 3;
	assert_int_equal(decide("dup", &f), ROUTE_OBSERVE_ONLY);
	assert_non_null(strstr(reason, "3 static functions are named dup"));
}

static void test_decide_none(void **state)
{
	struct func_facts f = traceable_func();

	(void)state;
	f.traceable = 0;
	assert_int_equal(decide("do_blk_trace_setup", &f), ROUTE_NONE);
	assert_string_equal(reason, "not traceable (notrace, inlined or init-only: absent from "
				    "/sys/kernel/tracing/available_filter_functions)");

	/* fmod_ret needs a trampoline too: a notrace security_* hook is no route. */
	f.modifiable = f.security_hook = true;
	assert_int_equal(decide("security_x", &f), ROUTE_NONE);

	f = traceable_func();
	f.proto = PROTO_UNTRACEABLE;
	snprintf(f.proto_why, sizeof(f.proto_why), "variadic");
	assert_int_equal(decide("printk", &f), ROUTE_NONE);
	assert_string_equal(reason, "variadic");

	f = traceable_func();
	f.ksyms.vmlinux = 0;
	assert_int_equal(decide("inlined", &f), ROUTE_NONE);

	f = traceable_func();
	f.ksyms.vmlinux = 0;
	f.ksyms.modules = 1;
	snprintf(f.btf_module, sizeof(f.btf_module), "9p");
	assert_int_equal(decide("v9fs_statfs", &f), ROUTE_OBSERVE_ONLY);
	assert_string_equal(reason,
			    "in module 9p: the companion module replaces functions of vmlinux only (their code cannot go away under its hook)");

	f = (struct func_facts){ .btf_id = -ENOENT, .ksyms = { .vmlinux = 1 } };
	assert_int_equal(decide("no_btf", &f), ROUTE_NONE);
	f = (struct func_facts){ .btf_id = -ENOENT, .ksyms = { .modules = 1, .module = "m" } };
	assert_int_equal(decide("in_m", &f), ROUTE_NONE);
	assert_string_equal(reason, "in module m, without BTF: BPF cannot attach to it");
	f = (struct func_facts){ .btf_id = -ENOENT, .clone = "renamed.constprop.0" };
	assert_int_equal(decide("renamed", &f), ROUTE_NONE);
	assert_string_equal(reason,
			    "the compiler specialised it into renamed.constprop.0, whose prototype differs from the source's, so it has no BTF: BPF cannot attach to it");
}

static void test_decide_unknown(void **state)
{
	struct func_facts f = { .btf_id = -ENOENT };

	(void)state;
	assert_int_equal(decide("nope", &f), -ENOENT);
	assert_string_equal(reason,
			    "no function nope in this kernel (not in its BTF nor in /proc/kallsyms)");
}

static void test_decide_traceability_unknown(void **state)
{
	struct func_facts f = traceable_func();

	(void)state;
	f.traceable = -ENOENT;
	assert_int_equal(decide("do_unlinkat", &f), ROUTE_COMPANION);
	assert_non_null(strstr(reason, "(traceability unchecked: "));
}

/* A function "f" of the given arguments (BTF type ids), returning int. */
static int add_func(struct btf *btf, int ret, const int *args, int nr)
{
	int proto = btf__add_func_proto(btf, ret);

	for (int i = 0; i < nr; i++)
		assert_int_equal(btf__add_func_param(btf, i ? "b" : "a", args[i]), 0);
	return btf__add_func(btf, "f", BTF_FUNC_GLOBAL, proto);
}

static void test_proto(void **state)
{
	const struct trampoline_limit six = { .max_args = 6, .probed = true };
	const struct trampoline_limit twelve = { .max_args = 12, .probed = true };
	const struct trampoline_limit six_assumed = { .max_args = 6, .probed = false };
	struct btf *btf = btf__new_empty();
	char why[160];
	int i32, ptr, small, big, td, f;

	(void)state;
	assert_non_null(btf);
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ptr = btf__add_ptr(btf, i32);
	small = btf__add_struct(btf, "pair", 16);
	assert_int_equal(btf__add_field(btf, "x", i32, 0, 0), 0);
	big = btf__add_struct(btf, "big", 24);
	td = btf__add_typedef(btf, "pair_t", small);

	f = add_func(btf, i32, (int[]){ i32, ptr, ptr }, 3);
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_REPLACEABLE);
	assert_string_equal(why, "3 arguments");

	f = add_func(btf, i32, (int[]){ i32, td }, 2);
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_TRACE_ONLY);
	assert_non_null(strstr(why, "argument 2 (b) is a struct passed by value"));

	f = add_func(btf, i32, (int[]){ big }, 1);
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_UNTRACEABLE);

	f = add_func(btf, small, (int[]){ i32 }, 1);
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_UNTRACEABLE);
	assert_string_equal(why, "returns a struct by value: BPF trampolines cannot");

	/* 7 registers: no trampoline before 6.6; a trampoline but no companion after. */
	f = add_func(btf, 0, (int[]){ i32, i32, i32, i32, i32, i32, i32 }, 7);
	assert_int_equal(func_proto_arg_regs(btf, f), 7);
	assert_true(func_proto_scalar_args(btf, f, 7));
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_UNTRACEABLE);
	assert_string_equal(why,
			    "7 argument registers: this kernel's BPF trampolines take at most 6 argument registers (probed)");
	assert_int_equal(func_proto_fit(btf, f, &six_assumed, why, sizeof(why)), PROTO_UNTRACEABLE);
	assert_string_equal(why,
			    "7 argument registers: this kernel's BPF trampolines take at most 6 argument registers (assumed from the kernel release: not probed)");
	assert_int_equal(func_proto_fit(btf, f, &twelve, why, sizeof(why)), PROTO_TRACE_ONLY);
	assert_string_equal(why, "7 argument registers: the companion module passes at most 6");
	/* A 16-byte struct takes two registers. */
	f = add_func(btf, 0, (int[]){ small, i32, i32, i32, i32, i32 }, 6);
	assert_int_equal(func_proto_arg_regs(btf, f), 7);
	assert_false(func_proto_scalar_args(btf, f, 6));
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_UNTRACEABLE);

	f = btf__add_func_proto(btf, i32);
	assert_int_equal(btf__add_func_param(btf, "fmt", ptr), 0);
	assert_int_equal(btf__add_func_param(btf, "", 0), 0); /* "..." */
	f = btf__add_func(btf, "printk", BTF_FUNC_GLOBAL, f);
	assert_int_equal(func_proto_fit(btf, f, &six, why, sizeof(why)), PROTO_UNTRACEABLE);
	assert_non_null(strstr(why, "variadic"));
	assert_false(func_proto_scalar_args(btf, f, 2));
	btf__free(btf);
}

static void test_kallsyms_line(void **state)
{
	const char *name, *module;
	char line[128];

	(void)state;
	strcpy(line, "ffffffff81000000 T do_unlinkat\n");
	assert_int_equal(kallsyms_parse_line(line, &name, &module), 1);
	assert_string_equal(name, "do_unlinkat");
	assert_string_equal(module, "");
	strcpy(line, "0000000000000000 t v9fs_statfs\t[9p]\n");
	assert_int_equal(kallsyms_parse_line(line, &name, &module), 1);
	assert_string_equal(name, "v9fs_statfs");
	assert_string_equal(module, "9p");
	strcpy(line, "ffffffff82000000 D jiffies\n");
	assert_int_equal(kallsyms_parse_line(line, &name, &module), 0);
	strcpy(line, "garbage\n");
	assert_int_equal(kallsyms_parse_line(line, &name, &module), -EINVAL);
}

/* Any other module file is refused, naming what does not match. */
static void test_module_file_check(void **state)
{
	const char *ko = TEST_KMOD_DIR "/bpflp_test_klp.ko";
	char why[512];

	(void)state;
	if (access(ko, R_OK))
		skip(); /* `make kmod` builds it */
	assert_int_equal(companion_module_check_file(ko, "0.0.0-other", why, sizeof(why)), -ENOEXEC);
	assert_non_null(
		strstr(why,
		       ", this one is 0.0.0-other: rebuild it against this kernel's headers (make kmod)"));
	assert_int_equal(companion_module_check_file("/etc/hostname", "x", why, sizeof(why)) < 0, 1);
	assert_non_null(strstr(why, "is not a readable kernel module"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_replaceable),
		cmocka_unit_test(test_decide_observe_only),
		cmocka_unit_test(test_decide_none),
		cmocka_unit_test(test_decide_unknown),
		cmocka_unit_test(test_decide_traceability_unknown),
		cmocka_unit_test(test_proto),
		cmocka_unit_test(test_kallsyms_line),
		cmocka_unit_test(test_module_file_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
