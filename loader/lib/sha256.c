// SPDX-License-Identifier: GPL-2.0
/* SHA-256 by libcrypto (EVP): no hand-written cryptography in bpflp. */
#include <errno.h>
#include <string.h>
#include <openssl/evp.h>
#include "sha256.h"

int sha256_init(struct sha256_ctx *ctx)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	ctx->md = NULL;
	if (!md)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return -ENOMEM;
	}
	ctx->md = md;
	return 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	if (ctx->md && !EVP_DigestUpdate(ctx->md, data, len)) {
		EVP_MD_CTX_free(ctx->md);
		ctx->md = NULL;
	}
}

int sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	unsigned int n = 0;
	int err = 0;

	if (!ctx->md || !EVP_DigestFinal_ex(ctx->md, digest, &n) || n != SHA256_DIGEST_SIZE) {
		memset(digest, 0, SHA256_DIGEST_SIZE);
		err = -ENOMEM;
	}
	EVP_MD_CTX_free(ctx->md);
	ctx->md = NULL;
	return err;
}

int sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, digest, &n, EVP_sha256(), NULL) && n == SHA256_DIGEST_SIZE)
		return 0;
	memset(digest, 0, SHA256_DIGEST_SIZE);
	return -ENOMEM;
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
