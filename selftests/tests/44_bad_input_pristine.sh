#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bad-object corpus on a machine bpflp never touched: a refused command
# must not even create /sys/fs/bpf/bpflp.
. "$(dirname "$0")/../lib.sh"
require_root
require_vm
. "$BPFLP_ROOT/selftests/badobj/lib.sh"
. "$BPFLP_ROOT/selftests/badobj/corpus.sh"
. "$BPFLP_ROOT/selftests/badobj/phases.sh"
badobj_require
badobj_run pristine apply names json
