#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad command lines (options, arguments, verbs, names) with a patch active,
# in plain and JSON mode: one clear error, nothing changed.
. "$(dirname "$0")/../lib.sh"
require_root
require_vm
. "$BPFLP_ROOT/selftests/badobj/lib.sh"
. "$BPFLP_ROOT/selftests/badobj/corpus.sh"
. "$BPFLP_ROOT/selftests/badobj/phases.sh"
badobj_require
badobj_run live args names json-all
