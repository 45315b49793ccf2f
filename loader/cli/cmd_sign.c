// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp sign FILE --key KEY.pem --cert CERT.pem [--out SIG]: the build
 * side of signed patches. Writes the detached DER CMS signature that
 * apply, install and boot check (signature.h), FILE.sig by default; FILE
 * is a patch object or the livepatch module it ships. The same bytes as
 * `openssl cms -sign -binary -noattr -nosmimecap -outform DER -in FILE
 * -signer CERT.pem -inkey KEY.pem -md sha256` (docs/operators.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "commands.h"
#include "output.h"
#include "signature.h"
#include "util.h"

const struct verb_option sign_options[] = {
	VERB_VALUE("key", key, "KEY.pem", "the signing private key (PEM)"),
	VERB_VALUE("cert", cert, "CERT.pem", "its certificate (PEM), embedded in the signature"),
	VERB_VALUE("out", out, "SIG", "where to write the signature (default FILE.sig)"),
	{},
};

int do_sign(const struct verb_args *args)
{
	char out[PATH_MAX], cert_hex[SHA256_HEX_SIZE], data_hex[SHA256_HEX_SIZE];
	struct patch_signer signer;
	void *data = NULL;
	size_t len;
	int err;

	if (!args->key || !args->cert) {
		p_err("sign needs --key KEY.pem and --cert CERT.pem: the private key and its certificate, both PEM");
		return -EINVAL;
	}
	if (args->out)
		err = try_snprintf(out, sizeof(out), "%s", args->out);
	else
		err = try_snprintf(out, sizeof(out), "%s" SIG_SUFFIX, args->arg);
	if (err) {
		p_err("the signature's path is too long: give a shorter one with --out");
		return err;
	}
	err = signature_read_file(args->arg, &data, &len);
	if (err) {
		p_err("cannot read %s: %s", args->arg, strerror(-err));
		return err;
	}
	err = signature_sign(data, len, args->key, args->cert, out, &signer);
	free(data);
	if (err)
		return err;
	sha256_hex(signer.cert_sha256, sizeof(signer.cert_sha256), cert_hex);
	sha256_hex(signer.data_sha256, sizeof(signer.data_sha256), data_hex);
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "action", "signed");
		jsonw_string_field(json_wtr, "file", args->arg);
		jsonw_string_field(json_wtr, "sha256", data_hex);
		jsonw_string_field(json_wtr, "signature", out);
		jsonw_name(json_wtr, "signer");
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "cn", signer.cn);
		jsonw_string_field(json_wtr, "sha256", cert_hex);
		jsonw_end_object(json_wtr);
		jsonw_end_object(json_wtr);
	} else {
		printf("signed %s in %s by %s (certificate sha256 %s)\n", args->arg, out, signer.cn,
		       cert_hex);
	}
	return 0;
}
