/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What commands print. In JSON mode stdout carries exactly one JSON
 * document, errors included ({"error": "..."}); otherwise results go to
 * stdout and errors to stderr as one line "bpflp: error: ...".
 */
#ifndef BPFLP_OUTPUT_H
#define BPFLP_OUTPUT_H

#include <stdbool.h>
#include "json_writer.h"

extern bool json_output;
extern bool pretty_output;
extern json_writer_t *json_wtr;

/*
 * In JSON mode the command's document is kept in memory until
 * output_fini() knows whether the command failed: then stdout gets either
 * that document or the error document, never both and never neither.
 */
int output_init(void);

/*
 * Print what the command produced. failed: the command returned an error.
 * Returns true if the command is to exit with status 1: it failed, or
 * reported an error although it returned success.
 */
bool output_fini(bool failed);

/*
 * A command printing a stream of documents (show --watch): write out the
 * one just finished, then start the next. 0, or -errno when stdout cannot
 * be written. An error after it is still reported as one error document.
 */
int output_next_document(void);

/*
 * Report an error. A failing command reports exactly one: the first is
 * printed (plain) or becomes the JSON document; later ones are only shown
 * with -v, as the first is the cause and the rest its consequences.
 */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether p_err() was called (or the document carries its own error). */
bool output_error_reported(void);

/* The error reported first, "" if none (for the history). */
const char *output_first_error(void);

/* The JSON document being written carries the error itself (recover's "error"). */
void output_error_in_document(void);

#endif /* BPFLP_OUTPUT_H */
