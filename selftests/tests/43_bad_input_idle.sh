#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bad-object corpus with nothing active: example applied and disabled
# again, so records and shared maps exist but no gate is open.
. "$(dirname "$0")/../lib.sh"
require_root
require_vm
. "$BPFLP_ROOT/selftests/badobj/lib.sh"
. "$BPFLP_ROOT/selftests/badobj/corpus.sh"
. "$BPFLP_ROOT/selftests/badobj/phases.sh"
badobj_require
badobj_run idle apply names json idle
