/* SPDX-License-Identifier: GPL-2.0 */
/* bpflp's own version and the version of its JSON output's schema. */
#ifndef BPFLP_VERSION_H
#define BPFLP_VERSION_H

#define BPFLP_VERSION "0.3.0"

/*
 * docs/schema/bpflp-output.schema.json: bump the major number when a
 * field is removed or changes meaning, the minor when one is added.
 */
#define BPFLP_SCHEMA_VERSION "1.10"

#endif /* BPFLP_VERSION_H */
