/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFLP_DRIFT_PRINT_H
#define BPFLP_DRIFT_PRINT_H

#include <stdbool.h>
#include "drift.h"

/* An array field of {"patch", "problem", "repair"} objects in the current JSON object. */
void drift_print_json(const char *field, const struct drift_report *rep);
/* A heading line, then one indented line per finding; advise adds how it is repaired. */
void drift_print_plain(const char *heading, const struct drift_report *rep, bool advise);

#endif /* BPFLP_DRIFT_PRINT_H */
