/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp's policy file, /etc/bpflp/bpflp.conf unless BPFLP_CONF names
 * another: "key = value" lines, '#' comments. Keys:
 *
 *   require_signature = yes|no     refuse patches without a valid signature
 *   trusted_certs = PATH           PEM certificates signatures are checked
 *                                  against: a directory (*.pem, *.crt) or
 *                                  one bundle file (default /etc/bpflp/trusted.d)
 *
 * No file at the default path: no policy (bpflp behaves as before signing
 * existed, and says how to turn it on). A BPFLP_CONF naming no file is an
 * error: it was asked for.
 */
#ifndef BPFLP_CONFIG_H
#define BPFLP_CONFIG_H

#include <limits.h>
#include <stdbool.h>

#define DEFAULT_CONFIG_FILE   "/etc/bpflp/bpflp.conf"
#define DEFAULT_TRUSTED_CERTS "/etc/bpflp/trusted.d"

struct bpflp_config {
	bool present; /* a config file was read */
	bool require_signature;
	char path[PATH_MAX];          /* the file read (or looked for) */
	char trusted_certs[PATH_MAX]; /* directory or bundle */
};

/*
 * Read the policy. 0 with cfg filled (present false when there is no file
 * at the default path), or -errno with one error line printed naming the
 * file, the line and the fix. The file must be owned by root (or the
 * caller) and not writable by group or others.
 */
int config_load(struct bpflp_config *cfg);

#endif /* BPFLP_CONFIG_H */
