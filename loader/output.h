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

int output_init(void);
void output_fini(void);

/* Report an error; every failing command calls this exactly once. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BPFLP_OUTPUT_H */
