// SPDX-License-Identifier: GPL-2.0
/*
 * The SHA-256 wrapper over libcrypto (loader/lib/sha256.c) against the FIPS
 * 180-4 / NIST example vectors, in one call and in pieces, by libcrypto's
 * own functions and then through its provider.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sha256.h"

static void expect(const void *data, size_t len, const char *want)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE];

	assert_int_equal(sha256(data, len, d), 0);
	sha256_hex(d, sizeof(d), hex);
	assert_string_equal(hex, want);
}

static void test_vectors(void **state)
{
	(void)state;
	expect("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	expect("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	       112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a_in_pieces(void **state)
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[SHA256_HEX_SIZE], chunk[997];

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	assert_int_equal(sha256_init(&ctx), 0);
	for (size_t left = 1000000; left;) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		sha256_update(&ctx, chunk, n);
		left -= n;
	}
	sha256_final(&ctx, d);
	sha256_hex(d, sizeof(d), hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	sha256_hex(d, 6, hex);
	assert_string_equal(hex, "cdc76e5c9914");
	assert_int_equal(ctx.live, 0); /* final ends the context */
}

/* A context used after final hashes nothing and yields zeros, never stale state. */
static void test_final_twice(void **state)
{
	uint8_t d[SHA256_DIGEST_SIZE], zero[SHA256_DIGEST_SIZE] = {};
	struct sha256_ctx ctx;

	(void)state;
	assert_int_equal(sha256_init(&ctx), 0);
	sha256_update(&ctx, "abc", 3);
	sha256_final(&ctx, d);
	sha256_update(&ctx, "abc", 3);
	sha256_final(&ctx, d);
	assert_memory_equal(d, zero, sizeof(d));
}

/* The same digests through OpenSSL's provider (a process that checks signatures): last, it stays on. */
static void test_through_provider(void **state)
{
	sha256_use_provider();
	test_vectors(state);
	test_million_a_in_pieces(state);
	test_final_twice(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a_in_pieces),
		cmocka_unit_test(test_final_twice),
		cmocka_unit_test(test_through_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
