// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 by libcrypto's own SHA-256 functions, not EVP: no hand-written
 * cryptography in bpflp, and no provider set up for a digest. EVP's first
 * digest in a process fetches the algorithm through OpenSSL 3's provider
 * machinery: 0.8 ms natively and 40-53 ms under the test VM's TCG, against
 * 0.008 and about 1 ms here, on every apply, replace and check
 * (docs/benchmarks.md, run O; run L measured it). These functions are deprecated in OpenSSL 3
 * but present in every 3.x release; signatures, which an operator's OpenSSL
 * policy (FIPS) governs, still go through EVP (signature.c).
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <string.h>
#include "sha256.h"

int sha256_init(struct sha256_ctx *ctx)
{
	ctx->live = SHA256_Init(&ctx->sha) == 1;
	return ctx->live ? 0 : -ENOMEM;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	if (ctx->live && SHA256_Update(&ctx->sha, data, len) != 1)
		ctx->live = 0;
}

int sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	int ok = ctx->live && SHA256_Final(digest, &ctx->sha) == 1;

	ctx->live = 0;
	if (ok)
		return 0;
	memset(digest, 0, SHA256_DIGEST_SIZE);
	return -ENOMEM;
}

int sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	return sha256_final(&ctx, digest);
}

void sha256_hex(const uint8_t *digest, size_t n, char *hex)
{
	static const char xd[] = "0123456789abcdef";

	for (size_t i = 0; i < n && i < SHA256_DIGEST_SIZE; i++) {
		*hex++ = xd[digest[i] >> 4];
		*hex++ = xd[digest[i] & 15];
	}
	*hex = '\0';
}
