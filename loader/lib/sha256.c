// SPDX-License-Identifier: GPL-2.0
/*
 * SHA-256 by libcrypto: no hand-written cryptography in bpflp. Two ways in:
 *
 * - libcrypto's own SHA-256 functions, by default. EVP's first digest in a
 *   process fetches the algorithm through OpenSSL 3's provider machinery:
 *   0.8 ms natively and 40-53 ms under the test VM's TCG, against 0.008
 *   and about 1 ms for these (docs/benchmarks.md, run O), on every apply,
 *   replace and check. They are deprecated in OpenSSL 3 but in every 3.x
 *   release, and are not the operator's OpenSSL policy's to choose.
 * - EVP, once sha256_use_provider() was called: a process that checks or
 *   makes a signature (signature.c) sets the provider up for it anyway,
 *   and the digest that binds the signed bytes to the loaded ones then
 *   comes from the provider the policy (FIPS) selects, as the signature's.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <openssl/evp.h>
#include "sha256.h"

static bool use_provider;

void sha256_use_provider(void)
{
	use_provider = true;
}

int sha256_init(struct sha256_ctx *ctx)
{
	ctx->md = NULL;
	ctx->live = 0;
	if (!use_provider) {
		ctx->live = SHA256_Init(&ctx->sha) == 1;
		return ctx->live ? 0 : -ENOMEM;
	}
	ctx->md = EVP_MD_CTX_new();
	if (ctx->md && EVP_DigestInit_ex(ctx->md, EVP_sha256(), NULL)) {
		ctx->live = 1;
		return 0;
	}
	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
	return -ENOMEM;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	if (!ctx->live)
		return;
	if (ctx->md ? !EVP_DigestUpdate(ctx->md, data, len) : SHA256_Update(&ctx->sha, data, len) != 1)
		ctx->live = 0;
}

int sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	unsigned int n = SHA256_DIGEST_SIZE;
	int ok = ctx->live &&
		 (ctx->md ? EVP_DigestFinal_ex(ctx->md, digest, &n) == 1 :
			    SHA256_Final(digest, &ctx->sha) == 1) &&
		 n == SHA256_DIGEST_SIZE;

	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
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
