/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signed patches: a detached CMS (PKCS#7) signature in DER, as the
 * kernel's scripts/sign-file or `openssl cms -sign -binary -noattr
 * -outform DER` write it, over a patch object (OBJ.sig beside it, or
 * --sig FILE) and over the livepatch module it ships (FIX.ko.sig),
 * checked with libcrypto against the certificates the policy trusts
 * (config.h) before anything changes.
 */
#ifndef BPFLP_SIGNATURE_H
#define BPFLP_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "sha256.h"

#define SIGNER_CN_MAX 64 /* bytes of the recorded CN, NUL included */
#define SIG_SUFFIX    ".sig"

/* Who signed a file, once its signature checked out. */
struct patch_signer {
	bool present;                            /* a signature was verified */
	char cn[SIGNER_CN_MAX];                  /* the signer's subject CN, printable */
	uint8_t cert_sha256[SHA256_DIGEST_SIZE]; /* fingerprint of the signer's certificate */
	uint8_t data_sha256[SHA256_DIGEST_SIZE]; /* SHA-256 of exactly the bytes verified */
};

/*
 * Verify the detached signature in sig_path over data[0, len) against the
 * certificates in trusted (a directory of PEM files or one bundle). 0 and
 * signer filled, or a negative errno with why holding one line that names
 * the problem and the fix (what: the signed file, for the message).
 */
int signature_verify(const void *data, size_t len, const char *what, const char *sig_path,
		     const char *trusted, struct patch_signer *signer, char *why, size_t why_size);

/*
 * The policy applied to one file about to be used: path (its bytes in
 * data[0, len), or read from path when data is NULL), its signature
 * sig_arg or else path.sig. 0 with signer->present false when the file may
 * go unsigned (no policy, or require_signature = no and no signature);
 * 0 with signer filled when its signature is valid; else a negative errno
 * with one error line printed. With check_owner, a file whose signature is
 * checked must be owned by root and not writable by group or others (the
 * bytes used later are read again from it).
 */
int signature_check_file(const struct bpflp_config *cfg, const char *path, const void *data,
			 size_t len, const char *sig_arg, bool check_owner,
			 struct patch_signer *signer);

/*
 * Without a policy file: one warning line on stderr saying how to turn
 * signing on, when stderr is a terminal or with -v (scripts and
 * bpflp.service stay quiet; see docs/operators.md). Once per process.
 */
void signature_policy_notice(const struct bpflp_config *cfg);

/*
 * Sign data[0, len) with key_path's private key and cert_path's
 * certificate (both PEM) into out_path (DER, detached, the certificate
 * embedded), written to a temporary name and renamed. 0 and signer
 * filled, or a negative errno with one error line printed.
 */
int signature_sign(const void *data, size_t len, const char *key_path, const char *cert_path,
		   const char *out_path, struct patch_signer *signer);

/* The whole file in a malloc'd buffer: 0, or -errno (nothing printed). */
int signature_read_file(const char *path, void **data, size_t *len);

#endif /* BPFLP_SIGNATURE_H */
