// SPDX-License-Identifier: GPL-2.0
/*
 * Detached CMS signatures over patch objects and livepatch modules
 * (signature.h), all of the cryptography done by libcrypto.
 *
 * Verification is in two steps so that each refusal says exactly why:
 * CMS_verify() checks the signature over the bytes with the signer's
 * certificate taken from the trusted set or from the signature (sign-file
 * embeds none, `bpflp sign` and `openssl cms -sign` do), and only then is
 * the signer's certificate verified against the trusted set (expiry,
 * chain). A trusted certificate may be the signing certificate itself
 * (X509_V_FLAG_PARTIAL_CHAIN) or a CA above it; any purpose is accepted,
 * so kernel module signing keys (extendedKeyUsage codeSigning) work, but a
 * key usage that excludes digitalSignature is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "log.h"
#include "output.h"
#include "signature.h"
#include "util.h"

#define SIG_MAX_BYTES  (1 << 20) /* a CMS signature is a few KiB */
#define DATA_MAX_BYTES (1L << 30)

int signature_read_file(const char *path, void **data, size_t *len)
{
	struct stat st;
	size_t done = 0;
	char *buf;
	ssize_t n;
	int fd, err = 0;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto out;
	}
	if (st.st_size > DATA_MAX_BYTES) {
		err = -EFBIG;
		goto out;
	}
	buf = malloc(st.st_size ?: 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = pread(fd, buf + done, st.st_size - done, done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			free(buf);
			goto out;
		}
		done += n;
	}
	*data = buf;
	*len = done;
out:
	close(fd);
	return err;
}

static void say(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

/* libcrypto's last reason, for the few messages that need it. */
static const char *crypto_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	return r ?: "unknown libcrypto error";
}

/* The subject's CN (else the whole subject), control characters replaced. */
static void signer_name(X509 *cert, char *out, size_t size)
{
	X509_NAME *subject = X509_get_subject_name(cert);
	int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	unsigned char *utf8 = NULL;

	out[0] = '\0';
	if (idx >= 0 && ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(
							   X509_NAME_get_entry(subject, idx))) >= 0) {
		snprintf(out, size, "%s", (char *)utf8);
		OPENSSL_free(utf8);
	} else {
		X509_NAME_oneline(subject, out, size);
	}
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (!out[0])
		snprintf(out, size, "?");
}

static void fill_signer(X509 *cert, struct patch_signer *signer)
{
	unsigned int n = 0;

	signer->present = true;
	signer_name(cert, signer->cn, sizeof(signer->cn));
	if (!X509_digest(cert, EVP_sha256(), signer->cert_sha256, &n) || n != SHA256_DIGEST_SIZE)
		memset(signer->cert_sha256, 0, sizeof(signer->cert_sha256));
}

/* "CN (sha256 0123456789ab...)", for messages. */
static void describe(X509 *cert, char *out, size_t size)
{
	struct patch_signer s = {};
	char hex[SHA256_HEX_SIZE];

	fill_signer(cert, &s);
	sha256_hex(s.cert_sha256, 8, hex);
	snprintf(out, size, "'%s' (certificate sha256 %s...)", s.cn, hex);
}

/* Every PEM certificate in one file onto certs: how many, or -errno. */
static int load_pem_file(const char *path, struct stack_st_X509 *certs)
{
	BIO *bio = BIO_new_file(path, "r");
	int n = 0;
	X509 *x;

	if (!bio)
		return -errno ?: -EIO;
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			BIO_free(bio);
			return -ENOMEM;
		}
		n++;
	}
	ERR_clear_error(); /* the end of the file reads as an error */
	BIO_free(bio);
	return n;
}

static bool cert_file_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 4 &&
	       (!strcmp(name + len - 4, ".pem") || !strcmp(name + len - 4, ".crt"));
}

/* The trusted certificates: a directory's *.pem and *.crt, or one bundle. */
static int load_trusted(const char *trusted, struct stack_st_X509 *certs, char *why, size_t size)
{
	struct dirent *de;
	struct stat st;
	char path[PATH_MAX];
	int n = 0, err;
	DIR *dir;

	if (stat(trusted, &st)) {
		err = -errno;
		say(why, size,
		    "cannot read the trusted certificates %s: %s; create it (trusted_certs in the bpflp config) with the PEM certificate of the signing key or its CA",
		    trusted, strerror(-err));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		n = load_pem_file(trusted, certs);
	} else {
		dir = opendir(trusted);
		if (!dir) {
			err = -errno;
			say(why, size, "cannot read the trusted certificates in %s: %s", trusted,
			    strerror(-err));
			return err;
		}
		while (n >= 0 && (de = readdir(dir))) {
			if (!cert_file_name(de->d_name))
				continue;
			if (try_snprintf(path, sizeof(path), "%s/%s", trusted, de->d_name))
				continue;
			err = load_pem_file(path, certs);
			n = err < 0 ? err : n + err;
		}
		closedir(dir);
	}
	if (n < 0) {
		say(why, size, "cannot read the trusted certificates in %s: %s", trusted,
		    strerror(-n));
		return n;
	}
	if (!sk_X509_num(certs)) {
		say(why, size,
		    "no certificate in %s (PEM, *.pem or *.crt): put the certificate of the signing key or its CA there",
		    trusted);
		return -ENOKEY;
	}
	return 0;
}

/* Why X509_verify_cert() refused the signer's certificate, and the fix. */
static void explain_cert_error(int code, X509 *signer, const char *what, const char *trusted,
			       char *why, size_t size)
{
	char who[SIGNER_CN_MAX + 128], when[64] = "?";
	BIO *mem;

	describe(signer, who, sizeof(who));
	switch (code) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		mem = BIO_new(BIO_s_mem());
		if (mem && ASN1_TIME_print(mem, code == X509_V_ERR_CERT_HAS_EXPIRED ?
							X509_get0_notAfter(signer) :
							X509_get0_notBefore(signer))) {
			int n = BIO_read(mem, when, sizeof(when) - 1);

			when[n > 0 ? n : 0] = '\0';
		}
		BIO_free(mem);
		say(why, size,
		    "the signature of %s is by %s, whose certificate %s %s: sign it again with a valid certificate",
		    what, who,
		    code == X509_V_ERR_CERT_HAS_EXPIRED ? "expired on" : "is not valid before", when);
		return;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		say(why, size,
		    "%s is signed by %s, which no certificate in %s vouches for: sign it with a trusted key, or add that certificate (or its CA) to %s",
		    what, who, trusted, trusted);
		return;
	default:
		say(why, size, "the certificate that signed %s, %s, is refused: %s", what, who,
		    X509_verify_cert_error_string(code));
	}
}

/* The signer's certificate against the trusted set: 0, or -EKEYREJECTED and why. */
static int verify_signer_cert(X509_STORE *store, X509 *signer, struct stack_st_X509 *untrusted,
			      const char *what, const char *trusted, char *why, size_t size)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	char who[SIGNER_CN_MAX + 128];
	int ok, code;

	if (!ctx || !X509_STORE_CTX_init(ctx, store, signer, untrusted)) {
		X509_STORE_CTX_free(ctx);
		say(why, size, "cannot check the certificate that signed %s: %s", what,
		    crypto_reason());
		return -ENOMEM;
	}
	ok = X509_verify_cert(ctx) > 0;
	code = X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	if (!ok) {
		explain_cert_error(code, signer, what, trusted, why, size);
		return -EKEYREJECTED;
	}
	if ((X509_get_extension_flags(signer) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		describe(signer, who, sizeof(who));
		say(why, size,
		    "%s is signed by %s, whose key usage does not allow signatures: sign with a certificate that has keyUsage digitalSignature",
		    what, who);
		return -EKEYREJECTED;
	}
	return 0;
}

static X509_STORE *make_store(struct stack_st_X509 *certs)
{
	X509_STORE *store = X509_STORE_new();

	if (!store)
		return NULL;
	for (int i = 0; i < sk_X509_num(certs); i++)
		if (!X509_STORE_add_cert(store, sk_X509_value(certs, i)))
			ERR_clear_error(); /* a duplicate is not an error here */
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	return store;
}

int signature_verify(const void *data, size_t len, const char *what, const char *sig_path,
		     const char *trusted, struct patch_signer *signer, char *why, size_t why_size)
{
	STACK_OF(X509) *certs = sk_X509_new_null(), *signers = NULL, *embedded = NULL;
	const unsigned char *p;
	X509_STORE *store = NULL;
	BIO *content = NULL;
	CMS_ContentInfo *cms = NULL;
	void *sig = NULL;
	size_t sig_len;
	unsigned long e;
	int err;

	memset(signer, 0, sizeof(*signer));
	sha256_use_provider(); /* the digest binding these bytes, as the signature: sha256.c */
	ERR_clear_error();
	if (!certs) {
		err = -ENOMEM;
		say(why, why_size, "out of memory checking the signature of %s", what);
		goto out;
	}
	err = signature_read_file(sig_path, &sig, &sig_len);
	if (!err && sig_len > SIG_MAX_BYTES)
		err = -EFBIG;
	if (err) {
		say(why, why_size, "cannot read the signature %s of %s: %s", sig_path, what,
		    strerror(-err));
		goto out;
	}
	p = sig;
	cms = d2i_CMS_ContentInfo(NULL, &p, sig_len);
	if (!cms || p != (const unsigned char *)sig + sig_len ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		err = -EBADMSG;
		say(why, why_size,
		    "%s is not a DER CMS signature: sign %s with 'bpflp sign' (or openssl cms -sign -binary -noattr -outform DER)",
		    sig_path, what);
		goto out;
	}
	if (!CMS_is_detached(cms)) {
		err = -EBADMSG;
		say(why, why_size,
		    "%s carries its content: bpflp takes a detached signature (openssl cms -sign without -nodetach)",
		    sig_path);
		goto out;
	}
	err = load_trusted(trusted, certs, why, why_size);
	if (err)
		goto out;
	store = make_store(certs);
	content = BIO_new_mem_buf(data, len);
	if (!store || !content) {
		err = -ENOMEM;
		say(why, why_size, "out of memory checking the signature of %s", what);
		goto out;
	}
	/* The bytes first, the certificate's standing after: each says its own error. */
	if (CMS_verify(cms, certs, NULL, content, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) <= 0) {
		bool no_signer = false;

		while ((e = ERR_get_error()))
			no_signer |= ERR_GET_LIB(e) == ERR_LIB_CMS &&
				     ERR_GET_REASON(e) == CMS_R_SIGNER_CERTIFICATE_NOT_FOUND;
		if (no_signer) {
			err = -EKEYREJECTED;
			say(why, why_size,
			    "%s is signed by a key no certificate in %s holds (and %s embeds no certificate): sign it with a trusted key, or add the signer's certificate to %s",
			    what, trusted, sig_path, trusted);
		} else {
			err = -EBADMSG;
			say(why, why_size,
			    "%s does not match its signature %s: the file changed after it was signed, or the signature is another file's; sign it again (bpflp sign)",
			    what, sig_path);
		}
		goto out;
	}
	signers = CMS_get0_signers(cms);
	embedded = CMS_get1_certs(cms);
	if (!signers || !sk_X509_num(signers)) {
		err = -EBADMSG;
		say(why, why_size, "%s names no signer: sign %s again (bpflp sign)", sig_path, what);
		goto out;
	}
	for (int i = 0; i < sk_X509_num(signers); i++) {
		err = verify_signer_cert(store, sk_X509_value(signers, i), embedded, what, trusted,
					 why, why_size);
		if (err)
			goto out;
	}
	fill_signer(sk_X509_value(signers, 0), signer);
	err = sha256(data, len, signer->data_sha256);
	if (err)
		say(why, why_size, "out of memory checking the signature of %s", what);
out:
	if (err)
		memset(signer, 0, sizeof(*signer));
	sk_X509_free(signers);
	sk_X509_pop_free(embedded, X509_free);
	sk_X509_pop_free(certs, X509_free);
	X509_STORE_free(store);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	free(sig);
	ERR_clear_error();
	return err;
}

/* Is a file whose bytes are read again later safe from everyone but root? */
static int check_file_owner(const char *path)
{
	struct stat st;
	int err;

	if (stat(path, &st)) {
		err = -errno;
		p_err("cannot stat %s: %s", path, strerror(-err));
		return err;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		p_err("%s is owned by uid %u with mode %04o: a signed file must be owned by root and not writable by group or others (chown root; chmod go-w), or pass --allow-insecure",
		      path, st.st_uid, st.st_mode & 07777);
		return -EPERM;
	}
	return 0;
}

int signature_check_file(const struct bpflp_config *cfg, const char *path, const void *data,
			 size_t len, const char *sig_arg, bool check_owner,
			 struct patch_signer *signer)
{
	char sig_path[PATH_MAX], why[PATH_MAX * 3 + 512];
	void *own = NULL;
	struct stat st;
	int err, stat_err;

	memset(signer, 0, sizeof(*signer));
	if (sig_arg) {
		if (try_snprintf(sig_path, sizeof(sig_path), "%s", sig_arg))
			return -ENAMETOOLONG;
	} else if (try_snprintf(sig_path, sizeof(sig_path), "%s" SIG_SUFFIX, path)) {
		p_err("%s: its path is too long for a signature beside it (%s" SIG_SUFFIX
		      "): move it, or give --sig FILE",
		      path, path);
		return -ENAMETOOLONG;
	}
	if (!cfg->present) {
		if (!sig_arg)
			return 0; /* no policy: as before signing existed */
		p_err("--sig %s given, but no trusted certificates are configured (no %s): create it with 'require_signature = yes' and 'trusted_certs = DIR'",
		      sig_arg, cfg->path);
		return -ENOKEY;
	}
	if (stat(path, &st)) {
		err = -errno;
		p_err("cannot open %s: %s", path, strerror(-err));
		return err;
	}
	stat_err = stat(sig_path, &st) ? -errno : 0;
	if (stat_err) {
		if (sig_arg || stat_err != -ENOENT) {
			p_err("cannot read the signature %s of %s: %s", sig_path, path,
			      strerror(-stat_err));
			return stat_err;
		}
		if (!cfg->require_signature)
			return 0;
		p_err("%s is not signed (no %s) and %s requires a signature: sign it (bpflp sign %s --key KEY.pem --cert CERT.pem), or give its signature with --sig FILE",
		      path, sig_path, cfg->path, path);
		return -ENOKEY;
	}
	if (check_owner) {
		err = check_file_owner(path);
		if (err)
			return err;
	}
	if (!data) {
		err = signature_read_file(path, &own, &len);
		if (err) {
			p_err("cannot read %s to check its signature: %s", path, strerror(-err));
			return err;
		}
		data = own;
	}
	err = signature_verify(data, len, path, sig_path, cfg->trusted_certs, signer, why,
			       sizeof(why));
	free(own);
	if (err)
		p_err("%s", why);
	else
		pr_debug("%s: signature %s by '%s' verified\n", path, sig_path, signer->cn);
	return err;
}

void signature_policy_notice(const struct bpflp_config *cfg)
{
	static bool shown;

	if (cfg->present || shown)
		return;
	shown = true;
	if (!isatty(STDERR_FILENO) && log_max_level < LOG_DEBUG)
		return;
	pr_warn("warning: patch signatures are not checked (no %s): to require them, write 'require_signature = yes' and 'trusted_certs = /etc/bpflp/trusted.d' there (docs/operators.md, \"Signed patches\")\n",
		cfg->path);
}

int signature_sign(const void *data, size_t len, const char *key_path, const char *cert_path,
		   const char *out_path, struct patch_signer *signer)
{
	unsigned char *der = NULL;
	CMS_ContentInfo *cms = NULL;
	EVP_PKEY *key = NULL;
	BIO *content = NULL, *bio;
	X509 *cert = NULL;
	int der_len, err = 0;

	memset(signer, 0, sizeof(*signer));
	sha256_use_provider(); /* as signature_verify() */
	ERR_clear_error();
	bio = BIO_new_file(cert_path, "r");
	cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!cert) {
		p_err("cannot read a PEM certificate from %s: %s; give the signing certificate with --cert",
		      cert_path, bio ? crypto_reason() : strerror(errno));
		err = -EINVAL;
		goto out;
	}
	bio = BIO_new_file(key_path, "r");
	key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!key) {
		p_err("cannot read a PEM private key from %s: %s; give the signing key with --key",
		      key_path, bio ? crypto_reason() : strerror(errno));
		err = -EINVAL;
		goto out;
	}
	if (!X509_check_private_key(cert, key)) {
		p_err("the key %s is not the key of the certificate %s: give the matching pair",
		      key_path, cert_path);
		err = -EINVAL;
		goto out;
	}
	content = BIO_new_mem_buf(data, len);
	cms = content ? CMS_sign(cert, key, NULL, content,
				 CMS_BINARY | CMS_DETACHED | CMS_NOATTR | CMS_NOSMIMECAP) :
			NULL;
	der_len = cms ? i2d_CMS_ContentInfo(cms, &der) : -1;
	if (der_len <= 0) {
		p_err("cannot sign with %s: %s", key_path, crypto_reason());
		err = -EINVAL;
		goto out;
	}
	err = write_file_atomic(out_path, der, der_len);
	if (err) {
		p_err("cannot write the signature %s: %s", out_path, strerror(-err));
		goto out;
	}
	fill_signer(cert, signer);
	err = sha256(data, len, signer->data_sha256);
out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(content);
	EVP_PKEY_free(key);
	X509_free(cert);
	ERR_clear_error();
	return err;
}
