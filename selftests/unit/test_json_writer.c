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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_document),
		cmocka_unit_test(test_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
