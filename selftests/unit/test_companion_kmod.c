// SPDX-License-Identifier: GPL-2.0
/*
 * The companion module's lifecycle where no companion module is loaded: a
 * module that does not fit is refused before anything is loaded, and
 * releasing an absent module is nothing to do. On a kernel without
 * modules (the build host) the refusal says so. 53_probe runs it in the VM
 * too, where modules load.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>
#include "companion_kmod.h"

/*
 * A module that is not bpflp's companion: `make kmod` builds it for each
 * test kernel. In the VM, the one for the running kernel (a module of
 * another kernel is refused for its vermagic first); on the host, which has
 * none of its own, TEST_KMOD_DIR's.
 */
static const char *other_module(void)
{
	static char path[512];
	struct utsname u;

	if (!uname(&u)) {
		snprintf(path, sizeof(path), "build/kmod/%s/bpflp_test_klp.ko", u.release);
		if (!access(path, R_OK))
			return path;
	}
	return TEST_KMOD_DIR "/bpflp_test_klp.ko";
}

static bool modules_supported(void)
{
	return !access("/proc/modules", F_OK);
}

static void test_release_absent(void **state)
{
	(void)state;
	if (companion_module_loaded())
		skip(); /* someone uses it: not ours to unload */
	assert_int_equal(companion_module_release_if_unused(), 0);
	assert_false(companion_module_loaded());
}

static void test_other_module_refused(void **state)
{
	char why[512];

	(void)state;
	if (access(other_module(), R_OK) || companion_module_loaded())
		skip();
	setenv(BPFLP_KMOD_ENV, other_module(), 1);
	if (!modules_supported()) {
		assert_int_equal(companion_module_usable(why, sizeof(why)), -ENOSYS);
		assert_string_equal(why, "this kernel cannot load modules (CONFIG_MODULES is off)");
		assert_int_equal(companion_module_ensure_loaded(), -ENOSYS);
		return;
	}
	assert_int_equal(companion_module_usable(why, sizeof(why)), -EPROTO);
	assert_non_null(strstr(why, "bpflp_test_klp.ko is version (none), bpflp is "));
	assert_int_equal(companion_module_ensure_loaded(), -EPROTO);
	/* Refused before loading: neither it nor the companion is in the kernel. */
	assert_int_equal(access("/sys/module/bpflp_test_klp", F_OK), -1);
	assert_false(companion_module_loaded());
	unsetenv(BPFLP_KMOD_ENV);
}

static void test_missing_file(void **state)
{
	char path[256], why[512];

	(void)state;
	setenv(BPFLP_KMOD_ENV, "/nonexistent.ko", 1);
	assert_int_equal(companion_module_find(path, sizeof(path), why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "BPFLP_KMOD=/nonexistent.ko: no such file");
	unsetenv(BPFLP_KMOD_ENV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_absent),
		cmocka_unit_test(test_other_module_refused),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
