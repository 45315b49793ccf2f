// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdlib.h>
#include "json_writer.h"

#define JSONW_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	bool pretty;
	unsigned int depth;
	bool need_comma[JSONW_MAX_DEPTH];
	bool after_name; /* a value follows "name": with no comma */
};

json_writer_t *jsonw_new(FILE *f, bool pretty)
{
	json_writer_t *self = calloc(1, sizeof(*self));

	if (!self)
		return NULL;
	self->out = f;
	self->pretty = pretty;
	return self;
}

void jsonw_destroy(json_writer_t **self)
{
	if (!*self)
		return;
	fputc('\n', (*self)->out);
	fflush((*self)->out);
	free(*self);
	*self = NULL;
}

static void jsonw_indent(json_writer_t *self)
{
	if (!self->pretty)
		return;
	fputc('\n', self->out);
	for (unsigned int i = 0; i < self->depth; i++)
		fputs("    ", self->out);
}

/* Separator and indentation before any value or name. */
static void jsonw_begin_value(json_writer_t *self)
{
	if (self->after_name) {
		self->after_name = false;
		return;
	}
	if (self->need_comma[self->depth])
		fputc(',', self->out);
	if (self->depth)
		jsonw_indent(self);
	self->need_comma[self->depth] = true;
}

static void jsonw_open(json_writer_t *self, char c)
{
	jsonw_begin_value(self);
	fputc(c, self->out);
	if (self->depth + 1 < JSONW_MAX_DEPTH)
		self->depth++;
	self->need_comma[self->depth] = false;
}

static void jsonw_close(json_writer_t *self, char c)
{
	bool had_members = self->need_comma[self->depth];

	if (self->depth)
		self->depth--;
	if (had_members)
		jsonw_indent(self);
	fputc(c, self->out);
}

void jsonw_start_object(json_writer_t *self)
{
	jsonw_open(self, '{');
}
void jsonw_end_object(json_writer_t *self)
{
	jsonw_close(self, '}');
}
void jsonw_start_array(json_writer_t *self)
{
	jsonw_open(self, '[');
}
void jsonw_end_array(json_writer_t *self)
{
	jsonw_close(self, ']');
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
 */
static int utf8_sequence_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	int len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range is what rules out overlongs, surrogates and > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (int i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/*
 * Any bytes make a valid JSON string in valid UTF-8: control characters are
 * \u-escaped and each byte that does not start a well-formed UTF-8 sequence
 * becomes U+FFFD, so a path or name with stray bytes cannot break a parser.
 */
static void jsonw_puts_escaped(json_writer_t *self, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', self->out);
	while (*s) {
		unsigned char c = *s;
		int len;

		switch (c) {
		case '"':
			fputs("\\\"", self->out);
			break;
		case '\\':
			fputs("\\\\", self->out);
			break;
		case '\n':
			fputs("\\n", self->out);
			break;
		case '\t':
			fputs("\\t", self->out);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(self->out, "\\u%04x", c);
			} else if (c < 0x80) {
				fputc(c, self->out);
			} else {
				len = utf8_sequence_len(s);
				if (!len) {
					fputs("\\ufffd", self->out);
				} else {
					fwrite(s, 1, len, self->out);
					s += len;
					continue;
				}
			}
		}
		s++;
	}
	fputc('"', self->out);
}

void jsonw_name(json_writer_t *self, const char *name)
{
	jsonw_begin_value(self);
	jsonw_puts_escaped(self, name);
	fputs(self->pretty ? ": " : ":", self->out);
	self->after_name = true;
}

void jsonw_string(json_writer_t *self, const char *value)
{
	jsonw_begin_value(self);
	jsonw_puts_escaped(self, value ? value : "");
}

void jsonw_uint(json_writer_t *self, uint64_t value)
{
	jsonw_begin_value(self);
	fprintf(self->out, "%" PRIu64, value);
}

void jsonw_int(json_writer_t *self, int64_t value)
{
	jsonw_begin_value(self);
	fprintf(self->out, "%" PRId64, value);
}

void jsonw_bool(json_writer_t *self, bool value)
{
	jsonw_begin_value(self);
	fputs(value ? "true" : "false", self->out);
}

void jsonw_null(json_writer_t *self)
{
	jsonw_begin_value(self);
	fputs("null", self->out);
}

void jsonw_string_field(json_writer_t *self, const char *name, const char *value)
{
	jsonw_name(self, name);
	jsonw_string(self, value);
}

void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t value)
{
	jsonw_name(self, name);
	jsonw_uint(self, value);
}

void jsonw_int_field(json_writer_t *self, const char *name, int64_t value)
{
	jsonw_name(self, name);
	jsonw_int(self, value);
}

void jsonw_bool_field(json_writer_t *self, const char *name, bool value)
{
	jsonw_name(self, name);
	jsonw_bool(self, value);
}

void jsonw_string_or_null_field(json_writer_t *self, const char *name, const char *value)
{
	jsonw_name(self, name);
	if (value && value[0])
		jsonw_string(self, value);
	else
		jsonw_null(self);
}

void jsonw_uint_or_null_field(json_writer_t *self, const char *name, uint64_t value, bool present)
{
	jsonw_name(self, name);
	if (present)
		jsonw_uint(self, value);
	else
		jsonw_null(self);
}
