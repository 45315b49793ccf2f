// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "log.h"
#include "output.h"

bool json_output;
bool pretty_output;
json_writer_t *json_wtr;

static FILE *json_doc; /* memory stream behind json_wtr */
static char *json_doc_buf;
static size_t json_doc_len;
static char first_error[1024];
static int errors_reported;
static bool error_in_document;

int output_init(void)
{
	if (!json_output || json_wtr)
		return 0;
	json_doc = open_memstream(&json_doc_buf, &json_doc_len);
	if (!json_doc)
		return -1;
	json_wtr = jsonw_new(json_doc, pretty_output);
	if (!json_wtr) {
		fclose(json_doc);
		json_doc = NULL;
		return -1;
	}
	return 0;
}

static void print_error_document(const char *msg)
{
	json_writer_t *w = jsonw_new(stdout, pretty_output);

	if (!w) {
		fprintf(stderr, "bpflp: error: %s\n", msg);
		return;
	}
	jsonw_start_object(w);
	jsonw_string_field(w, "error", msg);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

bool output_fini(bool failed)
{
	bool exit_error = failed || (errors_reported && !error_in_document);

	if (!json_output)
		return exit_error;
	jsonw_destroy(&json_wtr);
	if (json_doc)
		fclose(json_doc);
	json_doc = NULL;
	if (exit_error && !error_in_document)
		print_error_document(first_error[0] ? first_error : "failed");
	else if (json_doc_len > 1) /* more than jsonw_destroy()'s newline */
		fwrite(json_doc_buf, 1, json_doc_len, stdout);
	free(json_doc_buf);
	json_doc_buf = NULL;
	json_doc_len = 0;
	return exit_error;
}

int output_next_document(void)
{
	if (json_output) {
		jsonw_destroy(&json_wtr);
		if (json_doc)
			fclose(json_doc);
		json_doc = NULL;
		if (json_doc_len > 1)
			fwrite(json_doc_buf, 1, json_doc_len, stdout);
		free(json_doc_buf);
		json_doc_buf = NULL;
		json_doc_len = 0;
		if (output_init())
			return -ENOMEM;
	}
	if (fflush(stdout) || ferror(stdout))
		return errno ? -errno : -EIO;
	return 0;
}

void p_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (errors_reported++) {
		pr_debug("error (after the first): %s\n", msg);
		return;
	}
	snprintf(first_error, sizeof(first_error), "%s", msg);
	if (json_output)
		return;
	fprintf(stderr, "bpflp: error: %s\n", msg);
}

bool output_error_reported(void)
{
	return errors_reported || error_in_document;
}

void output_error_in_document(void)
{
	error_in_document = true;
}

const char *output_first_error(void)
{
	return first_error;
}
