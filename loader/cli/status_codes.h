/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp's exit statuses, written once: 0 and 1 for every command, 2 to 5
 * for `status` (cmd_status.c), which help lists (cli.c).
 */
#ifndef BPFLP_STATUS_CODES_H
#define BPFLP_STATUS_CODES_H

enum status_code {
	STATUS_CONSISTENT = 0,
	STATUS_ERROR = 1,         /* any command: bad arguments, a refused or failed command */
	STATUS_DRIFT = 2,         /* `bpflp recover` repairs it */
	STATUS_PENDING = 3,       /* a transaction is running, or died: recover */
	STATUS_UNRECOVERABLE = 4, /* drift bpflp cannot repair */
	STATUS_UNSUPPORTED = 5,   /* no BPF trampolines or no bpffs here */
	STATUS_NR_CODES,
};

struct status_code_info {
	const char *name;    /* status -j's "status" */
	const char *meaning; /* help's line */
};

/* Indexed by enum status_code. */
extern const struct status_code_info status_codes[STATUS_NR_CODES];

#endif /* BPFLP_STATUS_CODES_H */
