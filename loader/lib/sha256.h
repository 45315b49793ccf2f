/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 by libcrypto: bpflp records the digest of every patch object it
 * applies so a different object under the same NAME@VERSION is never
 * mistaken for the one already applied, and fingerprints each program
 * (prog_fingerprint.h). Signatures are checked through EVP (signature.c).
 */
#ifndef BPFLP_SHA256_H
#define BPFLP_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/sha.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE    (2 * SHA256_DIGEST_SIZE + 1)

struct sha256_ctx {
	SHA256_CTX sha; /* libcrypto's own functions (sha256.c) */
	void *md;       /* EVP_MD_CTX *, after sha256_use_provider() */
	int live;       /* 1 between a good init and final; 0 after final or a failure */
};

/* From now on in this process, digests through OpenSSL's provider (EVP): see sha256.c. */
void sha256_use_provider(void);

/* 0, or -ENOMEM (then update and final do nothing and final zeroes the digest). */
int sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/*
 * The digest; frees the context. -ENOMEM (digest zeroed) when init, an
 * update or this failed: a digest of part of the data is never given.
 */
int sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);
/* One call: 0, or -ENOMEM with digest zeroed. */
int sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);
/* Lower-case hex of the first n bytes of digest (n <= 32), terminated. */
void sha256_hex(const uint8_t *digest, size_t n, char *hex);

#endif /* BPFLP_SHA256_H */
