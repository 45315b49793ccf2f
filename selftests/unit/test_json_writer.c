// SPDX-License-Identifier: GPL-2.0
/* The JSON writer: separators, nesting, escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include "json_writer.h"

static char *render(void (*emit)(json_writer_t *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_writer_t *w = jsonw_new(f, false);

	emit(w);
	jsonw_destroy(&w);
	fclose(f);
	return buf;
}

static void emit_nested(json_writer_t *w)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "name", "cve-fixes");
	jsonw_uint_field(w, "version", 2);
	jsonw_name(w, "functions");
	jsonw_start_array(w);
	jsonw_start_object(w);
	jsonw_bool_field(w, "attached", true);
	jsonw_end_object(w);
	jsonw_int(w, -5);
	jsonw_end_array(w);
	jsonw_name(w, "empty");
	jsonw_start_array(w);
	jsonw_end_array(w);
	jsonw_end_object(w);
}

static void test_nested_document(void **state)
{
	char *out = render(emit_nested);

	(void)state;
	assert_string_equal(out,
			    "{\"name\":\"cve-fixes\",\"version\":2,\"functions\":[{\"attached\":true},-5],\"empty\":[]}\n");
	free(out);
}

static void emit_escapes(json_writer_t *w)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "error", "bad \"name\"\\\n\x01");
	jsonw_end_object(w);
}

static void test_escaping(void **state)
{
	char *out = render(emit_escapes);

	(void)state;
	assert_string_equal(out, "{\"error\":\"bad \\\"name\\\"\\\\\\n\\u0001\"}\n");
	free(out);
}

/* The JSON string the writer makes of raw bytes. */
static char *render_string(const char *value)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_writer_t *w = jsonw_new(f, false);

	jsonw_string(w, value);
	jsonw_destroy(&w);
	fclose(f);
	return buf;
}

static void check_json_string(const char *value, const char *want)
{
	char *out = render_string(value);

	assert_string_equal(out, want);
	free(out);
}

static void test_control_characters(void **state)
{
	(void)state;
	check_json_string("\x01\x1f\r\b\f\x7f", "\"\\u0001\\u001f\\u000d\\u0008\\u000c\\u007f\"\n");
}

static void test_valid_utf8_kept(void **state)
{
	(void)state;
	/* é, €, U+10FFFF, U+1F600 */
	check_json_string("\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80",
			  "\"\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80\"\n");
}

static void test_invalid_utf8_replaced(void **state)
{
	(void)state;
	check_json_string("a\xff"
			  "b",
			  "\"a\\ufffdb\"\n");                             /* never valid */
	check_json_string("\x80", "\"\\ufffd\"\n");                       /* lone continuation */
	check_json_string("\xc3", "\"\\ufffd\"\n");                       /* truncated at the end */
	check_json_string("\xc3(", "\"\\ufffd(\"\n");                     /* truncated */
	check_json_string("\xc0\xaf", "\"\\ufffd\\ufffd\"\n");            /* overlong '/' */
	check_json_string("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"\n"); /* overlong */
	check_json_string("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n"); /* surrogate */
	check_json_string("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n"); /* > U+10FFFF */
	check_json_string("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"\n"); /* truncated 4-byte */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_document),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invalid_utf8_replaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
