# SPDX-License-Identifier: GPL-2.0
# Everything a bad-input test needs, in one source line: the test library,
# root and the VM, the snapshot/refusal checks, the corpus and its phases,
# and the built bad objects.
. "$(dirname "${BASH_SOURCE[0]}")/../../../lib.sh"
require_root
require_vm
. "$BPFLP_ROOT/selftests/tests/input/badobj/lib.sh"
. "$BPFLP_ROOT/selftests/tests/input/badobj/corpus.sh"
. "$BPFLP_ROOT/selftests/tests/input/badobj/phases.sh"
badobj_require
