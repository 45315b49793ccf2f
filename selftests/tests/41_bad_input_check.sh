#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad patch objects: bpflp check, the preflight, refuses every one apply
# refuses (callbacks aside), with the same error, and changes nothing.
. "$(dirname "$0")/../lib.sh"
require_root
require_vm
. "$BPFLP_ROOT/selftests/badobj/lib.sh"
. "$BPFLP_ROOT/selftests/badobj/corpus.sh"
. "$BPFLP_ROOT/selftests/badobj/phases.sh"
badobj_require
badobj_run live check
