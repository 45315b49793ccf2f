// SPDX-License-Identifier: GPL-2.0
/*
 * Signed patches on the host (loader/lib/signature.c, loader/lib/config.c): keys
 * and certificates made with the openssl CLI in a temporary directory,
 * signatures by `bpflp sign`'s code, by `openssl cms` and in the kernel's
 * sign-file shape (no certificate embedded, extendedKeyUsage codeSigning),
 * each refusal with its own reason, and the policy file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "config.h"
#include "signature.h"

static char dir[64];
static char trusted[128];
static const char data[] = "\177ELF pretend patch object\0with a NUL and bytes \x01\x02\xff";
static const char other[] = "another file altogether";

static const char *at(const char *name)
{
	static char bufs[8][256];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = snprintf(cmd, sizeof(cmd), "cd %s && ( ", dir);
	n += vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - n, " ) > log 2>&1");
	if (system(cmd)) {
		fprintf(stderr, "failed: %s\n", cmd);
		snprintf(cmd, sizeof(cmd), "cat %s/log >&2", dir);
		if (system(cmd))
			fprintf(stderr, "(no log)\n");
		fail();
	}
}

static void put(const char *name, const void *buf, size_t len, mode_t mode)
{
	FILE *f = fopen(at(name), "w");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	chmod(at(name), mode);
}

/* Keys and certificates, once for every test. */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bpflp-sig.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(trusted, sizeof(trusted), "%s/trusted.d", dir);
	put("data", data, sizeof(data), 0644);
	put("other", other, sizeof(other), 0644);
	run("mkdir trusted.d && "
	    "openssl req -x509 -newkey rsa:2048 -nodes -keyout good.key -out good.pem -days 30 -subj '/CN=bpflp test signer' && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout rogue.key -out rogue.pem -days 30 -subj '/CN=rogue' && "
	    "printf '[req]\\ndistinguished_name=dn\\nprompt=no\\nx509_extensions=e\\n[dn]\\nCN=kernel key\\n[e]\\nbasicConstraints=critical,CA:FALSE\\nkeyUsage=digitalSignature\\nextendedKeyUsage=codeSigning\\nsubjectKeyIdentifier=hash\\n' > kern.cnf && "
	    "openssl req -new -x509 -nodes -newkey rsa:2048 -days 30 -config kern.cnf -keyout kern.key -out kern.pem && "
	    /* Expired: openssl ca takes explicit dates (OpenSSL 3.0's req and x509 do not). */
	    "mkdir ca && touch ca/index.txt && echo 01 > ca/serial && "
	    "printf '[ca]\\ndefault_ca=t\\n[t]\\ndatabase=ca/index.txt\\nserial=ca/serial\\nnew_certs_dir=ca\\ndefault_md=sha256\\npolicy=p\\n[p]\\ncommonName=supplied\\n' > ca.cnf && "
	    "openssl req -new -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj '/CN=expired signer' && "
	    "openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr -out old.pem -startdate 20200101000000Z -enddate 20200201000000Z && "
	    "cp good.pem kern.pem old.pem trusted.d/ && cat good.pem kern.pem > bundle.pem");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int verify(const void *buf, size_t len, const char *sig, const char *certs,
		  struct patch_signer *s, char *why, size_t size)
{
	why[0] = '\0';
	return signature_verify(buf, len, "OBJ", at(sig), certs, s, why, size);
}

static void test_bpflp_sign_verifies(void **state)
{
	struct patch_signer s, v;
	char why[1024], hex[SHA256_HEX_SIZE], fp[128];
	FILE *f;

	(void)state;
	assert_int_equal(signature_sign(data, sizeof(data), at("good.key"), at("good.pem"),
					at("data.sig"), &s),
			 0);
	assert_true(s.present);
	assert_string_equal(s.cn, "bpflp test signer");
	assert_int_equal(verify(data, sizeof(data), "data.sig", trusted, &v, why, sizeof(why)), 0);
	assert_true(v.present);
	assert_string_equal(v.cn, "bpflp test signer");
	assert_memory_equal(v.cert_sha256, s.cert_sha256, sizeof(s.cert_sha256));
	/* The fingerprint is openssl's: the SHA-256 of the certificate's DER. */
	run("openssl x509 -in good.pem -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f > fp");
	f = fopen(at("fp"), "r");
	assert_non_null(f);
	assert_non_null(fgets(fp, sizeof(fp), f));
	fclose(f);
	fp[strcspn(fp, "\n")] = '\0';
	sha256_hex(v.cert_sha256, sizeof(v.cert_sha256), hex);
	assert_string_equal(hex, fp);
	/* The digest of the bytes verified, which apply compares with what it loads. */
	sha256(data, sizeof(data), s.data_sha256);
	assert_memory_equal(v.data_sha256, s.data_sha256, sizeof(s.data_sha256));
	/* The same bytes as the documented openssl line (RSA PKCS#1 v1.5 is deterministic). */
	run("openssl cms -sign -binary -noattr -outform DER -in data -signer good.pem -inkey good.key -out openssl.sig && cmp openssl.sig data.sig");
}

static void test_openssl_and_sign_file_shapes(void **state)
{
	struct patch_signer v;
	char why[1024];

	(void)state;
	run("openssl cms -sign -binary -outform DER -in data -signer good.pem -inkey good.key -out attrs.sig");
	assert_int_equal(verify(data, sizeof(data), "attrs.sig", trusted, &v, why, sizeof(why)), 0);
	/* scripts/sign-file: no certificate inside, by key id, SHA-512, codeSigning. */
	run("openssl cms -sign -binary -noattr -nocerts -nosmimecap -keyid -md sha512 -outform DER -in data -signer kern.pem -inkey kern.key -out kern.sig");
	assert_int_equal(verify(data, sizeof(data), "kern.sig", trusted, &v, why, sizeof(why)), 0);
	assert_string_equal(v.cn, "kernel key");
	/* A bundle file instead of a directory. */
	assert_int_equal(verify(data, sizeof(data), "kern.sig", at("bundle.pem"), &v, why,
				sizeof(why)),
			 0);
}

static void test_flipped_byte(void **state)
{
	char copy[sizeof(data)], why[1024];
	struct patch_signer v;

	(void)state;
	run("openssl cms -sign -binary -noattr -outform DER -in data -signer good.pem -inkey good.key -out flip.sig");
	for (size_t i = 0; i < sizeof(data); i += 7) {
		memcpy(copy, data, sizeof(data));
		copy[i] ^= 0x01;
		assert_int_equal(verify(copy, sizeof(copy), "flip.sig", trusted, &v, why, sizeof(why)),
				 -EBADMSG);
		assert_non_null(strstr(why, "does not match its signature"));
		assert_false(v.present);
	}
	/* One byte more, one byte less. */
	assert_int_equal(verify(data, sizeof(data) - 1, "flip.sig", trusted, &v, why, sizeof(why)),
			 -EBADMSG);
}

static void test_another_files_signature(void **state)
{
	struct patch_signer v;
	char why[1024];

	(void)state;
	run("openssl cms -sign -binary -noattr -outform DER -in other -signer good.pem -inkey good.key -out other.sig");
	assert_int_equal(verify(data, sizeof(data), "other.sig", trusted, &v, why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "another file's"));
}

static void test_untrusted_key(void **state)
{
	struct patch_signer v;
	char why[1024];

	(void)state;
	/* Its certificate inside: found, but nothing trusted vouches for it. */
	run("openssl cms -sign -binary -noattr -outform DER -in data -signer rogue.pem -inkey rogue.key -out rogue.sig");
	assert_int_equal(verify(data, sizeof(data), "rogue.sig", trusted, &v, why, sizeof(why)),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "'rogue'"));
	assert_non_null(strstr(why, "no certificate in"));
	/* No certificate inside: no trusted certificate holds the key. */
	run("openssl cms -sign -binary -noattr -nocerts -outform DER -in data -signer rogue.pem -inkey rogue.key -out rogue-nc.sig");
	assert_int_equal(verify(data, sizeof(data), "rogue-nc.sig", trusted, &v, why, sizeof(why)),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "signed by a key no certificate"));
	/* Trusted elsewhere is not trusted here. */
	run("openssl cms -sign -binary -noattr -outform DER -in data -signer good.pem -inkey good.key -out good.sig && mkdir -p only-rogue && cp rogue.pem only-rogue/");
	assert_int_equal(verify(data, sizeof(data), "good.sig", at("only-rogue"), &v, why,
				sizeof(why)),
			 -EKEYREJECTED);
}

static void test_expired_certificate(void **state)
{
	struct patch_signer v;
	char why[1024];

	(void)state;
	run("openssl cms -sign -binary -noattr -outform DER -in data -signer old.pem -inkey old.key -out old.sig");
	assert_int_equal(verify(data, sizeof(data), "old.sig", trusted, &v, why, sizeof(why)),
			 -EKEYREJECTED);
	assert_non_null(strstr(why, "'expired signer'"));
	assert_non_null(strstr(why, "expired on Feb  1 00:00:00 2020 GMT"));
}

static void test_not_a_signature(void **state)
{
	struct patch_signer v;
	char why[1024];

	(void)state;
	assert_int_equal(verify(data, sizeof(data), "data", trusted, &v, why, sizeof(why)), -EBADMSG);
	assert_non_null(strstr(why, "not a DER CMS signature"));
	run("openssl cms -sign -binary -noattr -outform PEM -in data -signer good.pem -inkey good.key -out pem.sig");
	assert_int_equal(verify(data, sizeof(data), "pem.sig", trusted, &v, why, sizeof(why)),
			 -EBADMSG);
	run("openssl cms -sign -binary -noattr -nodetach -outform DER -in data -signer good.pem -inkey good.key -out attached.sig");
	assert_int_equal(verify(data, sizeof(data), "attached.sig", trusted, &v, why, sizeof(why)),
			 -EBADMSG);
	assert_non_null(strstr(why, "detached"));
	/* A signature cut short. */
	run("head -c 200 good.sig > short.sig");
	assert_int_equal(verify(data, sizeof(data), "short.sig", trusted, &v, why, sizeof(why)),
			 -EBADMSG);
	assert_int_equal(verify(data, sizeof(data), "missing.sig", trusted, &v, why, sizeof(why)),
			 -ENOENT);
	run("mkdir -p empty.d");
	assert_int_equal(verify(data, sizeof(data), "good.sig", at("empty.d"), &v, why, sizeof(why)),
			 -ENOKEY);
	assert_non_null(strstr(why, "no certificate in"));
}

static void test_sign_refuses_mismatched_pair(void **state)
{
	struct patch_signer s;

	(void)state;
	assert_int_equal(signature_sign(data, sizeof(data), at("rogue.key"), at("good.pem"),
					at("pair.sig"), &s),
			 -EINVAL);
	assert_int_equal(access(at("pair.sig"), F_OK), -1);
	assert_int_equal(signature_sign(data, sizeof(data), at("nokey.pem"), at("good.pem"),
					at("pair.sig"), &s),
			 -EINVAL);
}

static int load_conf(const char *text, mode_t mode, struct bpflp_config *cfg)
{
	put("bpflp.conf", text, strlen(text), mode);
	setenv("BPFLP_CONF", at("bpflp.conf"), 1);
	return config_load(cfg);
}

static void test_config(void **state)
{
	struct bpflp_config cfg;
	char text[512];

	(void)state;
	snprintf(text, sizeof(text),
		 "# bpflp policy\n\nrequire_signature = yes   # refuse unsigned\n  trusted_certs=%s\n",
		 trusted);
	assert_int_equal(load_conf(text, 0644, &cfg), 0);
	assert_true(cfg.present);
	assert_true(cfg.require_signature);
	assert_string_equal(cfg.trusted_certs, trusted);
	assert_int_equal(load_conf("require_signature = no\n", 0600, &cfg), 0);
	assert_false(cfg.require_signature);
	assert_string_equal(cfg.trusted_certs, DEFAULT_TRUSTED_CERTS);
	assert_int_equal(load_conf("require_signature = maybe\n", 0644, &cfg), -EINVAL);
	assert_int_equal(load_conf("require_signatures = yes\n", 0644, &cfg), -EINVAL);
	assert_int_equal(load_conf("require_signature\n", 0644, &cfg), -EINVAL);
	assert_int_equal(load_conf("trusted_certs = relative/dir\n", 0644, &cfg), -EINVAL);
	/* A policy others may rewrite is refused. */
	assert_int_equal(load_conf("require_signature = yes\n", 0666, &cfg), -EPERM);
	assert_int_equal(load_conf("require_signature = yes\n", 0664, &cfg), -EPERM);
	/* BPFLP_CONF naming nothing is an error; the default path missing is no policy. */
	setenv("BPFLP_CONF", at("nope.conf"), 1);
	assert_int_equal(config_load(&cfg), -ENOENT);
	unsetenv("BPFLP_CONF");
	if (access(DEFAULT_CONFIG_FILE, F_OK)) {
		assert_int_equal(config_load(&cfg), 0);
		assert_false(cfg.present);
	}
}

static void test_policy(void **state)
{
	struct bpflp_config cfg = { .present = true };
	struct patch_signer s;

	(void)state;
	snprintf(cfg.path, sizeof(cfg.path), "%s", at("bpflp.conf"));
	snprintf(cfg.trusted_certs, sizeof(cfg.trusted_certs), "%s", trusted);
	put("obj", data, sizeof(data), 0644);
	unlink(at("obj.sig"));
	/* No policy: unsigned goes, as before signing existed; --sig cannot be checked. */
	cfg.present = false;
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, false, &s), 0);
	assert_false(s.present);
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, at("good.sig"), false, &s),
			 -ENOKEY);
	cfg.present = true;
	/* Required and missing. */
	cfg.require_signature = true;
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, false, &s), -ENOKEY);
	/* Not required: unsigned goes, a bad signature does not. */
	cfg.require_signature = false;
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, false, &s), 0);
	assert_false(s.present);
	run("cp other.sig obj.sig");
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, false, &s), -EBADMSG);
	/* OBJ.sig beside it, from the file or from the bytes given. */
	cfg.require_signature = true;
	run("cp good.sig obj.sig");
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, false, &s), 0);
	assert_true(s.present);
	assert_int_equal(signature_check_file(&cfg, at("obj"), data, sizeof(data), NULL, false, &s),
			 0);
	assert_int_equal(signature_check_file(&cfg, at("obj"), other, sizeof(other), NULL, false, &s),
			 -EBADMSG);
	/* --sig wins over OBJ.sig; a --sig that is not there is an error. */
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, at("other.sig"), false, &s),
			 -EBADMSG);
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, at("none.sig"), false, &s),
			 -ENOENT);
	/* A file the kernel reads again (a module) must be root's and not writable by others. */
	chmod(at("obj"), 0666);
	assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, true, &s), -EPERM);
	chmod(at("obj"), 0644);
	if (!geteuid())
		assert_int_equal(signature_check_file(&cfg, at("obj"), NULL, 0, NULL, true, &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpflp_sign_verifies),
		cmocka_unit_test(test_openssl_and_sign_file_shapes),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_another_files_signature),
		cmocka_unit_test(test_untrusted_key),
		cmocka_unit_test(test_expired_certificate),
		cmocka_unit_test(test_not_a_signature),
		cmocka_unit_test(test_sign_refuses_mismatched_pair),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_policy),
	};

	if (system("openssl version > /dev/null 2>&1")) {
		printf("SKIP: no openssl command (Debian package openssl)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
