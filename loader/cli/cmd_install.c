// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp install, uninstall and boot: the patch a machine applies at boot.
 *
 * Patches are cumulative, so a machine has at most one installed patch: the
 * object is copied to STATE_DIR/patches/NAME.bpf.o and described by
 * STATE_DIR/patches/manifest ("key value" lines: format, name, version,
 * sha256, object, dispatch). Installing replaces whatever was installed. `bpflp boot`
 * (what bpflp.service runs) applies the installed object after checking its
 * SHA-256 against the manifest. The files are written to a temporary name
 * and renamed, so a crash leaves the old installation or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "commands.h"
#include "config.h"
#include "output.h"
#include "patch_object.h"
#include "sha256.h"
#include "signature.h"
#include "state_dir.h"
#include "store.h"
#include "util.h"

#define MANIFEST_FORMAT 1

struct installed {
	char name[BPFLP_NAME_MAX + 1];
	unsigned long version;
	char sha256[SHA256_HEX_SIZE];
	char object[PATH_MAX]; /* full path */
	bool dispatch;         /* boot applies it with --dispatch */
};

/* BPFLP_STATE_DIR moves it (tests, a read-only /var); it must be absolute. */
static int patches_dir(char *buf, size_t size)
{
	int err = state_dir_path(buf, size, "patches");

	if (err == -EINVAL)
		p_err("BPFLP_STATE_DIR must be an absolute path, got '%s'",
		      getenv("BPFLP_STATE_DIR"));
	else if (err)
		p_err("BPFLP_STATE_DIR is too long: '%s'", getenv("BPFLP_STATE_DIR"));
	return err;
}

/* 0 and *inst filled, -ENOENT when nothing is installed, else an error (printed). */
static int read_manifest(const char *dir, struct installed *inst)
{
	char path[PATH_MAX], line[PATH_MAX + 32], object[PATH_MAX] = "";
	unsigned long format = 0;
	int err = 0;
	FILE *f;

	memset(inst, 0, sizeof(*inst));
	if (try_snprintf(path, sizeof(path), "%s/manifest", dir))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		if (err != -ENOENT)
			p_err("cannot read %s: %s", path, strerror(-err));
		return err;
	}
	while (fgets(line, sizeof(line), f)) {
		char *value = strchr(line, ' ');

		if (!value)
			continue;
		*value++ = '\0';
		value[strcspn(value, "\n")] = '\0';
		if (!strcmp(line, "format"))
			format = strtoul(value, NULL, 10);
		else if (!strcmp(line, "name"))
			snprintf(inst->name, sizeof(inst->name), "%s", value);
		else if (!strcmp(line, "version"))
			inst->version = strtoul(value, NULL, 10);
		else if (!strcmp(line, "sha256"))
			snprintf(inst->sha256, sizeof(inst->sha256), "%s", value);
		else if (!strcmp(line, "object"))
			snprintf(object, sizeof(object), "%s", value);
		else if (!strcmp(line, "dispatch"))
			inst->dispatch = !strcmp(value, "yes");
	}
	fclose(f);
	if (format != MANIFEST_FORMAT || !patch_name_valid(inst->name) ||
	    strlen(inst->sha256) != SHA256_HEX_SIZE - 1 || !*object || strchr(object, '/')) {
		p_err("%s is not a bpflp manifest of format %d: reinstall the patch with 'bpflp install OBJ'",
		      path, MANIFEST_FORMAT);
		return -EINVAL;
	}
	if (try_snprintf(inst->object, sizeof(inst->object), "%s/%s", dir, object))
		return -ENAMETOOLONG;
	return 0;
}

static void print_installed_json(const char *action, const struct installed *inst,
				 const struct installed *old)
{
	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "action", action);
	jsonw_string_field(json_wtr, "name", inst->name);
	jsonw_uint_field(json_wtr, "version", inst->version);
	jsonw_string_field(json_wtr, "sha256", inst->sha256);
	jsonw_string_field(json_wtr, "object", inst->object);
	jsonw_bool_field(json_wtr, "dispatch", inst->dispatch);
	if (old) {
		jsonw_name(json_wtr, "replaced");
		if (old->name[0]) {
			char spec[PATCH_SPEC_MAX];

			snprintf(spec, sizeof(spec), "%s@%lu", old->name, old->version);
			jsonw_string(json_wtr, spec);
		} else {
			jsonw_null(json_wtr);
		}
	}
	jsonw_end_object(json_wtr);
}

const struct verb_option install_options[] = {
	VERB_FLAG("dispatch", dispatch, "boot applies it with --dispatch (see apply)"),
	VERB_FLAG("allow-insecure", allow_insecure,
		  "accept an object not owned by root or writable by group or others"),
	VERB_VALUE("sig", sig, "FILE", "the object's detached signature (default OBJ.sig)"),
	{},
};

/*
 * The signature policy on the bytes being installed; a valid signature is
 * installed beside the object (NAME.bpf.o.sig), where boot finds it. 0 and
 * *sig (malloc'd, NULL when unsigned) and *sig_len, or an error (printed).
 */
static int check_install_signature(const struct verb_args *args, const struct patch_object *po,
				   void **sig, size_t *sig_len)
{
	char sig_path[PATH_MAX];
	struct patch_signer signer;
	struct bpflp_config cfg;
	int err;

	*sig = NULL;
	*sig_len = 0;
	err = config_load(&cfg);
	if (err)
		return err;
	signature_policy_notice(&cfg);
	err = signature_check_file(&cfg, args->arg, po->image, po->image_size, args->sig, false,
				   &signer);
	if (err || !signer.present)
		return err;
	if (args->sig)
		snprintf(sig_path, sizeof(sig_path), "%s", args->sig);
	else if (try_snprintf(sig_path, sizeof(sig_path), "%s" SIG_SUFFIX, args->arg))
		return -ENAMETOOLONG;
	/* Read again: the file checked is small, and a changed one fails at boot, named. */
	err = signature_read_file(sig_path, sig, sig_len);
	if (err)
		p_err("cannot read the signature %s: %s", sig_path, strerror(-err));
	return err;
}

int do_install(const struct verb_args *args)
{
	char dir[PATH_MAX], manifest[PATH_MAX * 2], manifest_path[PATH_MAX],
		old_object[PATH_MAX] = "", sig_path[PATH_MAX + 8];
	static struct patch_object po; /* 208 KB: off the stack (a verb runs once) */
	struct installed inst = {}, old;
	void *sig = NULL;
	size_t sig_len;
	int err, len;

	err = patches_dir(dir, sizeof(dir));
	if (err)
		return err;
	/* The same checks as apply's, against this kernel: a broken patch is not installed. */
	err = patch_object_open(&po, args->arg, args->allow_insecure);
	if (!err && args->dispatch)
		err = patch_check_dispatchable(&po);
	if (!err)
		err = check_install_signature(args, &po, &sig, &sig_len);
	if (err)
		goto cleanup;
	err = read_manifest(dir, &old);
	if (err == -ENOENT)
		memset(&old, 0, sizeof(old));
	else if (err)
		goto cleanup;
	else
		snprintf(old_object, sizeof(old_object), "%s", old.object);

	snprintf(inst.name, sizeof(inst.name), "%s", po.info.name);
	inst.version = po.info.version;
	inst.dispatch = args->dispatch;
	sha256_hex(po.digest, sizeof(po.digest), inst.sha256);
	if (try_snprintf(inst.object, sizeof(inst.object), "%s/%s.bpf.o", dir, inst.name)) {
		err = -ENAMETOOLONG;
		goto cleanup;
	}
	err = mkdir_p(dir);
	if (err) {
		p_err("cannot create %s: %s", dir, strerror(-err));
		goto cleanup;
	}
	/* The bytes checked above, not the file again: it may have changed since. */
	err = write_file_atomic(inst.object, po.image, po.image_size);
	if (err) {
		p_err("cannot write %s: %s", inst.object, strerror(-err));
		goto cleanup;
	}
	/* Its signature beside it, or none: an older one would not match it at boot. */
	snprintf(sig_path, sizeof(sig_path), "%s" SIG_SUFFIX, inst.object);
	err = sig ? write_file_atomic(sig_path, sig, sig_len) :
		    (unlink(sig_path) && errno != ENOENT ? -errno : 0);
	if (err) {
		p_err("cannot %s %s: %s", sig ? "write" : "remove", sig_path, strerror(-err));
		goto cleanup;
	}
	/* An older bpflp reads past the dispatch line: it boots the patch linked. */
	len = snprintf(manifest, sizeof(manifest),
		       "format %d\nname %s\nversion %lu\nsha256 %s\nobject %s.bpf.o\ndispatch %s\n",
		       MANIFEST_FORMAT, inst.name, inst.version, inst.sha256, inst.name,
		       inst.dispatch ? "yes" : "no");
	if (try_snprintf(manifest_path, sizeof(manifest_path), "%s/manifest", dir)) {
		err = -ENAMETOOLONG;
		goto cleanup;
	}
	err = write_file_atomic(manifest_path, manifest, len);
	if (err) {
		p_err("cannot write %s: %s", manifest_path, strerror(-err));
		goto cleanup;
	}
	/* Another name's object (and signature) is no longer referenced. */
	if (*old_object && strcmp(old_object, inst.object)) {
		unlink(old_object);
		if (!try_snprintf(sig_path, sizeof(sig_path), "%s" SIG_SUFFIX, old_object))
			unlink(sig_path);
	}

	if (json_output) {
		print_installed_json("installed", &inst, &old);
	} else {
		printf("installed %s@%lu in %s%s", inst.name, inst.version, dir,
		       inst.dispatch ? " (applied with --dispatch at boot)" : "");
		if (old.name[0])
			printf("; replaced %s@%lu", old.name, old.version);
		printf("\n");
	}
cleanup:
	free(sig);
	patch_object_close(&po);
	return err;
}

int do_uninstall(const struct verb_args *args)
{
	char dir[PATH_MAX], manifest[PATH_MAX + 16];
	struct installed inst;
	int err;

	err = check_patch_spec(args->arg);
	if (err)
		return err;
	if (strchr(args->arg, '@')) {
		p_err("uninstall takes a NAME, got '%s': one version of a patch is installed at most",
		      args->arg);
		return -EINVAL;
	}
	err = patches_dir(dir, sizeof(dir));
	if (err)
		return err;
	err = read_manifest(dir, &inst);
	if (err == -ENOENT) {
		p_err("cannot uninstall '%s': no patch is installed in %s", args->arg, dir);
		return -ENOENT;
	}
	if (!err && strcmp(inst.name, args->arg)) {
		p_err("cannot uninstall '%s': the installed patch is %s@%lu", args->arg, inst.name,
		      inst.version);
		return -ENOENT;
	}
	if (err)
		return err;
	/* The manifest first: without it, boot applies nothing. */
	if (try_snprintf(manifest, sizeof(manifest), "%s/manifest", dir))
		return -ENAMETOOLONG;
	if (unlink(manifest)) {
		err = -errno;
		p_err("cannot remove %s: %s", manifest, strerror(-err));
		return err;
	}
	if (unlink(inst.object) && errno != ENOENT) {
		err = -errno;
		p_err("cannot remove %s: %s", inst.object, strerror(-err));
		return err;
	}
	if (!try_snprintf(manifest, sizeof(manifest), "%s" SIG_SUFFIX, inst.object) &&
	    unlink(manifest) && errno != ENOENT) {
		err = -errno;
		p_err("cannot remove %s: %s", manifest, strerror(-err));
		return err;
	}
	if (json_output)
		print_installed_json("uninstalled", &inst, NULL);
	else
		printf("uninstalled %s@%lu (still applied until 'bpflp disable %s' or a reboot)\n",
		       inst.name, inst.version, inst.name);
	return 0;
}

/* SHA-256 of a whole file, as hex. */
static int file_sha256_hex(const char *path, char hex[SHA256_HEX_SIZE])
{
	__u8 digest[SHA256_DIGEST_SIZE], buf[65536];
	struct sha256_ctx ctx;
	int fd, err = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = sha256_init(&ctx);
	if (err) {
		close(fd);
		return err;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		sha256_update(&ctx, buf, n);
	}
	close(fd);
	/* Final also frees the context, so it runs after a failed read too. */
	err = sha256_final(&ctx, digest) ?: err;
	if (err)
		return err;
	sha256_hex(digest, sizeof(digest), hex);
	return 0;
}

int do_boot(const struct verb_args *args)
{
	char dir[PATH_MAX], hex[SHA256_HEX_SIZE];
	struct installed inst;
	struct verb_args apply = {};
	int err;

	(void)args;
	err = patches_dir(dir, sizeof(dir));
	if (err)
		return err;
	err = read_manifest(dir, &inst);
	if (err == -ENOENT) {
		/* A machine without an installed patch boots fine: the unit succeeds. */
		if (json_output) {
			jsonw_start_object(json_wtr);
			jsonw_string_field(json_wtr, "action", "none");
			jsonw_name(json_wtr, "installed");
			jsonw_null(json_wtr);
			jsonw_end_object(json_wtr);
		} else {
			printf("no patch installed in %s: nothing to apply\n", dir);
		}
		return 0;
	}
	if (err)
		return err;
	err = file_sha256_hex(inst.object, hex);
	if (err) {
		p_err("cannot read the installed patch %s: %s; reinstall it with 'bpflp install OBJ'",
		      inst.object, strerror(-err));
		return err;
	}
	if (strcmp(hex, inst.sha256)) {
		p_err("%s has sha256 %.12s..., the manifest says %.12s...: refusing to apply it; reinstall it with 'bpflp install OBJ'",
		      inst.object, hex, inst.sha256);
		return -EBADMSG;
	}
	/* Exactly what 'bpflp apply OBJ' does: a cumulative replace, a no-op if active. */
	apply.arg = inst.object;
	apply.dispatch = inst.dispatch;
	return apply_object(&apply, "boot");
}
