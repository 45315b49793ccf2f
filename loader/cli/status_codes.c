// SPDX-License-Identifier: GPL-2.0
#include "status_codes.h"

const struct status_code_info status_codes[STATUS_NR_CODES] = {
	[STATUS_CONSISTENT] = { "consistent", "success" },
	[STATUS_ERROR] = { "error",
			   "error: bad arguments, missing capabilities, a refused or failed command" },
	[STATUS_DRIFT] = { "drift", "status: drift that 'bpflp recover' repairs" },
	[STATUS_PENDING] = { "pending", "status: a transaction is running, or died" },
	[STATUS_UNRECOVERABLE] = { "unrecoverable", "status: drift bpflp cannot repair" },
	[STATUS_UNSUPPORTED] = { "unsupported", "status: no BPF trampolines or no bpffs here" },
};
