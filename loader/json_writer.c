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
	bool after_name;	/* a value follows "name": with no comma */
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

void jsonw_start_object(json_writer_t *self) { jsonw_open(self, '{'); }
void jsonw_end_object(json_writer_t *self) { jsonw_close(self, '}'); }
void jsonw_start_array(json_writer_t *self) { jsonw_open(self, '['); }
void jsonw_end_array(json_writer_t *self) { jsonw_close(self, ']'); }

static void jsonw_puts_escaped(json_writer_t *self, const char *s)
{
	fputc('"', self->out);
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"': fputs("\\\"", self->out); break;
		case '\\': fputs("\\\\", self->out); break;
		case '\n': fputs("\\n", self->out); break;
		case '\t': fputs("\\t", self->out); break;
		default:
			if (c < 0x20)
				fprintf(self->out, "\\u%04x", c);
			else
				fputc(c, self->out);
		}
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
