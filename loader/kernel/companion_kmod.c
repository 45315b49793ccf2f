// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libkmod.h>
#include <bpflp/companion.h>
#include "companion_attach.h"
#include "companion_kmod.h"
#include "kmod_util.h"
#include "log.h"
#include "output.h"
#include "util.h"
#include "version.h"

#define MODULE_FILE      BPFLP_COMPANION_MODULE ".ko"
#define SYSFS_MODULE     "/sys/module/" BPFLP_COMPANION_MODULE
#define PROC_MODULES     "/proc/modules"
#define MODULES_DISABLED "/proc/sys/kernel/modules_disabled"
#define SIG_ENFORCE      "/sys/module/module/parameters/sig_enforce"
#define LOCKDOWN         "/sys/kernel/security/lockdown"

/* What the module file says of itself (modinfo). */
struct modinfo {
	char release[128]; /* first word of vermagic */
	char version[64];
	char abi[16];
	bool is_signed;
};

static bool file_exists(const char *path)
{
	return !access(path, F_OK);
}

/* Where bpflp's own binary is, to find the module beside it. */
static int exe_dir(char *dir, size_t size)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (len < 0)
		return -errno;
	exe[len] = '\0';
	return try_snprintf(dir, size, "%s", dirname(exe));
}

/* Where modprobe would find it (/lib/modules/<release>/, modules.dep). */
static int find_in_module_dir(char *path, size_t size)
{
	struct kmod_ctx *ctx = kmod_ctx_open();
	struct kmod_module *mod = NULL;
	const char *found;
	int err = -ENOENT;

	if (!ctx)
		return -errno;
	if (!kmod_module_new_from_name(ctx, BPFLP_COMPANION_MODULE, &mod)) {
		found = kmod_module_get_path(mod);
		if (found && file_exists(found))
			err = try_snprintf(path, size, "%s", found);
		kmod_module_unref(mod);
	}
	kmod_unref(ctx);
	return err;
}

int companion_module_find(char *path, size_t path_size, char *why, size_t size)
{
	char dir[PATH_MAX], prefix[PATH_MAX], release[128];
	const char *env = getenv(BPFLP_KMOD_ENV);
	int err;

	if (env && *env) {
		if (!file_exists(env)) {
			snprintf(why, size, "%s=%s: no such file", BPFLP_KMOD_ENV, env);
			return -ENOENT;
		}
		return try_snprintf(path, path_size, "%s", env);
	}
	err = exe_dir(dir, sizeof(dir));
	if (!err)
		err = kernel_release(release, sizeof(release));
	if (err) {
		snprintf(why, size, "cannot tell where bpflp is: %s", strerror(-err));
		return err;
	}
	/* A build tree: make kmod builds one per guest kernel, kmod/<release>/. */
	if (!try_snprintf(path, path_size, "%s/kmod/%s/%s", dir, release, MODULE_FILE) &&
	    file_exists(path))
		return 0;
	if (!try_snprintf(path, path_size, "%s/kmod/%s", dir, MODULE_FILE) && file_exists(path))
		return 0;
	/* PREFIX/sbin/bpflp: PREFIX/lib/bpflp/modules/<release>/. */
	snprintf(prefix, sizeof(prefix), "%s", dir);
	*(strrchr(prefix, '/') ?: prefix) = '\0';
	if (!try_snprintf(path, path_size, "%s/lib/bpflp/modules/%s/%s", prefix, release,
			  MODULE_FILE) &&
	    file_exists(path))
		return 0;
	if (!find_in_module_dir(path, path_size))
		return 0;
	pr_debug("no %s in %s/kmod/%s/, %s/kmod/, %s/lib/bpflp/modules/%s/ or /lib/modules/%s/\n",
		 MODULE_FILE, dir, release, dir, prefix, release, release);
	snprintf(why, size,
		 "no %s for %s (-v says where bpflp looked): install the bpflp-companion-dkms package, build it (make kmod) or set %s",
		 MODULE_FILE, release, BPFLP_KMOD_ENV);
	return -ENOENT;
}

static void companion_field(const char *key, const char *value, void *arg)
{
	struct modinfo *info = arg;

	if (!strcmp(key, "vermagic"))
		vermagic_release(value, info->release, sizeof(info->release));
	else if (!strcmp(key, "version"))
		snprintf(info->version, sizeof(info->version), "%s", value);
	else if (!strcmp(key, "bpflp_abi"))
		snprintf(info->abi, sizeof(info->abi), "%s", value);
	else if (!strcmp(key, "sig_id") || !strcmp(key, "signer"))
		info->is_signed = true;
}

static int read_modinfo(struct kmod_ctx *ctx, const char *path, struct modinfo *info)
{
	memset(info, 0, sizeof(*info));
	return modinfo_walk(ctx, path, NULL, 0, companion_field, info);
}

/* Checks a module file; info, when not NULL, gets what it says of itself. */
static int check_file(const char *path, const char *release, struct modinfo *info, char *why,
		      size_t size)
{
	char abi[16];
	struct kmod_ctx *ctx = kmod_ctx_open();
	int err;

	if (!ctx) {
		snprintf(why, size, "cannot use libkmod: %s", strerror(errno));
		return -errno;
	}
	err = read_modinfo(ctx, path, info);
	kmod_unref(ctx);
	if (err) {
		snprintf(why, size, "%s is not a readable kernel module: %s", path, strerror(-err));
		return err;
	}
	snprintf(abi, sizeof(abi), "%d", BPFLP_COMPANION_ABI);
	if (strcmp(info->release, release)) {
		snprintf(why, size,
			 "%s is built for kernel %s, this one is %s: rebuild it against this kernel's headers (make kmod)",
			 path, info->release[0] ? info->release : "(no vermagic)", release);
		return -ENOEXEC;
	}
	if (strcmp(info->version, BPFLP_VERSION)) {
		snprintf(why, size,
			 "%s is version %s, bpflp is %s: use the module built with this bpflp",
			 path, info->version[0] ? info->version : "(none)", BPFLP_VERSION);
		return -EPROTO;
	}
	if (strcmp(info->abi, abi)) {
		snprintf(why, size,
			 "%s has companion ABI %s, bpflp speaks %s: use the module built with this bpflp",
			 path, info->abi[0] ? info->abi : "(none)", abi);
		return -EPROTO;
	}
	return 0;
}

int companion_module_check_file(const char *path, const char *release, char *why, size_t size)
{
	struct modinfo info;

	return check_file(path, release, &info, why, size);
}

static int module_initstate(void)
{
	struct kmod_ctx *ctx;
	struct kmod_module *mod = NULL;
	int state = -ENOENT;

	/*
	 * Not in /sys/module: not loaded. Asked first because every
	 * transaction asks, and a libkmod context reads the modprobe
	 * configuration and modules.builtin to answer the same; the module
	 * is never built in, the one case only modules.builtin knows.
	 */
	if (!file_exists(SYSFS_MODULE))
		return -ENOENT;
	ctx = kmod_ctx_open();
	if (!ctx)
		return -errno;
	if (!kmod_module_new_from_name(ctx, BPFLP_COMPANION_MODULE, &mod)) {
		state = kmod_module_get_initstate(mod);
		kmod_module_unref(mod);
	}
	kmod_unref(ctx);
	return state;
}

bool companion_module_loaded(void)
{
	int state = module_initstate();

	return state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING ||
	       state == KMOD_MODULE_BUILTIN;
}

/*
 * Who the loaded module is, asked through its device (companion_ident.h).
 * A module still running its init (another bpflp is loading it) has no
 * device yet: given up to 2 s.
 */
static int identify_loaded(struct bpflp_companion_ident *ident)
{
	int err;

	for (int tries = 200;; tries--) {
		err = companion_identify(ident);
		if (err != -ENOENT || !tries || module_initstate() != KMOD_MODULE_COMING)
			return err;
		sleep_ms(10);
	}
}

/* A module named bpflp_companion that is not bpflp's: why, and the fix. */
static int not_ours(int err, char *why, size_t size)
{
	snprintf(why, size,
		 "a module named %s is loaded but is not bpflp's (%s): remove it (rmmod %s) and retry",
		 BPFLP_COMPANION_MODULE,
		 err == -ENOENT ? "it has no " BPFLP_COMPANION_DEV :
				  BPFLP_COMPANION_DEV " does not answer bpflp's identity ioctl",
		 BPFLP_COMPANION_MODULE);
	return -EPROTO;
}

/*
 * The loaded module must be bpflp's (it answers the identity ioctl on its
 * device: a name and a modinfo version any module can claim), of this
 * bpflp's version and companion ABI. Without the privilege to ask (probe
 * as a user), its sysfs version is all there is to go by.
 */
static int check_loaded(char *why, size_t size)
{
	struct bpflp_companion_ident ident;
	char version[64];
	int err = identify_loaded(&ident);

	if (err == -ENOENT || err == -EPROTO)
		return not_ours(err, why, size);
	if (!err && ident.abi != BPFLP_COMPANION_ABI) {
		snprintf(why, size,
			 "%s with companion ABI %u is loaded, bpflp speaks %d: unload it (rmmod %s) once no patch uses it",
			 BPFLP_COMPANION_MODULE, ident.abi, BPFLP_COMPANION_ABI,
			 BPFLP_COMPANION_MODULE);
		return -EPROTO;
	}
	if (!err) {
		snprintf(version, sizeof(version), "%s", ident.version);
	} else {
		pr_debug("cannot ask %s who it is (%s): going by its sysfs version\n",
			 BPFLP_COMPANION_DEV, strerror(-err));
		err = read_first_line(SYSFS_MODULE "/version", version, sizeof(version));
		if (err) {
			snprintf(why, size,
				 "the loaded %s has no version (%s): it is not bpflp's; unload it (rmmod %s)",
				 BPFLP_COMPANION_MODULE, strerror(-err), BPFLP_COMPANION_MODULE);
			return -EPROTO;
		}
	}
	if (strcmp(version, BPFLP_VERSION)) {
		snprintf(why, size,
			 "%s %s is loaded, bpflp is %s: unload it (rmmod %s) once no patch uses it",
			 BPFLP_COMPANION_MODULE, version, BPFLP_VERSION, BPFLP_COMPANION_MODULE);
		return -EPROTO;
	}
	return 0;
}

/*
 * How a Secure Boot machine gets a module it trusts, as Debian does for
 * out-of-tree modules: DKMS builds it for each kernel and signs it with
 * the machine's MOK key, which the owner enrols once in the firmware.
 */
#define MOK_PUB   "/var/lib/dkms/mok.pub"
#define ENROL_MOK "enrol the key (mokutil --import " MOK_PUB ", reboot, confirm in MokManager)"
#define SIGNING_FIX                                                                                 \
	"install the bpflp-companion-dkms package, which builds the module and signs it with this " \
	"machine's MOK key, and " ENROL_MOK

/* Lockdown's mode, as /sys/kernel/security/lockdown writes it, when not "[none]". */
static bool locked_down(char *line, size_t size)
{
	return !read_first_line(LOCKDOWN, line, size) && !strstr(line, "[none]");
}

/* An unsigned module is refused when the kernel enforces signatures or is locked down. */
static int check_signature_policy(const char *path, const struct modinfo *info, char *why, size_t size)
{
	char line[128];

	if (info->is_signed)
		return 0;
	if (!read_first_line(SIG_ENFORCE, line, sizeof(line)) && line[0] == 'Y') {
		snprintf(why, size,
			 "%s is unsigned and this kernel loads signed modules only (module.sig_enforce): %s",
			 path, SIGNING_FIX);
		return -EKEYREJECTED;
	}
	if (locked_down(line, sizeof(line))) {
		snprintf(why, size, "%s is unsigned and this kernel is locked down (%s): %s", path,
			 line, SIGNING_FIX);
		return -EPERM;
	}
	return 0;
}

/* Whether the module can be loaded here now; path gets its file. */
static int check_loadable(char *path, size_t path_size, char *why, size_t size)
{
	struct modinfo info;
	char release[128], line[16];
	int err;

	if (!file_exists(PROC_MODULES)) {
		snprintf(why, size, "this kernel cannot load modules (CONFIG_MODULES is off)");
		return -ENOSYS;
	}
	if (!read_first_line(MODULES_DISABLED, line, sizeof(line)) && line[0] == '1') {
		snprintf(why, size,
			 "module loading is disabled until reboot (kernel.modules_disabled=1)");
		return -EPERM;
	}
	err = kernel_release(release, sizeof(release));
	if (err) {
		snprintf(why, size, "cannot tell the kernel release: %s", strerror(-err));
		return err;
	}
	err = companion_module_find(path, path_size, why, size);
	if (!err)
		err = check_file(path, release, &info, why, size);
	if (!err)
		err = check_signature_policy(path, &info, why, size);
	return err;
}

int companion_module_usable(char *why, size_t size)
{
	char path[PATH_MAX];

	if (companion_module_loaded())
		return check_loaded(why, size);
	return check_loadable(path, sizeof(path), why, size);
}

int companion_module_ensure_loaded(void)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	char path[PATH_MAX], why[512];
	int err;

	if (companion_module_loaded()) {
		err = check_loaded(why, sizeof(why));
		if (err)
			p_err("%s", why);
		return err;
	}
	err = check_loadable(path, sizeof(path), why, sizeof(why));
	if (err) {
		p_err("cannot load the companion module: %s", why);
		return err;
	}
	ctx = kmod_ctx_open();
	if (!ctx) {
		err = -errno;
		p_err("cannot use libkmod: %s", strerror(-err));
		return err;
	}
	err = kmod_module_new_from_path(ctx, path, &mod);
	if (!err) {
		err = kmod_module_insert_module(mod, 0, NULL);
		kmod_module_unref(mod);
	}
	kmod_unref(ctx);
	/* EEXIST: another module of that name was loaded meanwhile: if it is bpflp's, as good. */
	if (err == -EEXIST) {
		err = check_loaded(why, sizeof(why));
		if (err)
			p_err("%s", why);
		return err;
	}
	/*
	 * Signed, but by a key none of the kernel's keyrings holds: refused
	 * with EKEYREJECTED under module.sig_enforce, EPERM under lockdown.
	 */
	if (err == -EKEYREJECTED || err == -ENOKEY ||
	    (err == -EPERM && locked_down(why, sizeof(why))))
		p_err("the kernel refused %s: its signature is by a key it does not trust (module.sig_enforce or lockdown); %s, or sign it with a key it trusts",
		      path, ENROL_MOK);
	else if (err)
		p_err("cannot load %s: %s (dmesg may say more)", path, strerror(-err));
	else
		pr_debug("companion module loaded from %s\n", path);
	return err;
}

int companion_module_release_if_unused(void)
{
	struct bpflp_companion_ident ident;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err, refcnt;

	if (!companion_module_loaded())
		return 0;
	/* Only bpflp's own: a module that merely took its name is the operator's. */
	err = companion_identify(&ident);
	if (err) {
		pr_debug("%s is not bpflp's, or cannot tell (%s): left loaded\n",
			 BPFLP_COMPANION_MODULE, strerror(-err));
		return 0;
	}
	ctx = kmod_ctx_open();
	if (!ctx) {
		err = -errno;
		p_err("cannot use libkmod: %s", strerror(-err));
		return err;
	}
	err = kmod_module_new_from_name(ctx, BPFLP_COMPANION_MODULE, &mod);
	if (err)
		goto out;
	refcnt = kmod_module_get_refcnt(mod);
	if (refcnt < 0) {
		err = refcnt == -ENOENT ? 0 : refcnt; /* ENOENT: unloaded meanwhile */
		goto out;
	}
	if (refcnt > 0)
		goto out; /* a patch still uses it */
	err = kmod_module_remove_module(mod, 0);
	/* Taken or removed between the count and the removal: not ours to fight. */
	if (err == -EBUSY || err == -EAGAIN || err == -EWOULDBLOCK || err == -ENOENT)
		err = 0;
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (err)
		p_err("cannot unload %s: %s", BPFLP_COMPANION_MODULE, strerror(-err));
	return err;
}
