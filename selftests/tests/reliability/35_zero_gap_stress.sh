#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Zero gap across replaces: hammer processes open() a file that gap@1
# denies with EPERM and gap@2 with EACCES while gap@1 and gap@2 replace each
# other (every other replace a downgrade) GAP_CYCLES times (default 70).
# No call may run unpatched, and a call that starts after an apply returned
# must see exactly the version it installed (selftests/helpers/gap_hammer.c
# explains the seqlock that decides which calls are checked exactly). The
# kernel must log no WARNING, BUG or Oops meanwhile, and at the end the
# last version is in effect with nothing leaked. The first half of the
# cycles (an even number) links each version, the second applies them
# with --dispatch: its first replace moves the function from a link to a
# stub, the others only write the stub's program array.
#
# An apply takes ~1 s in the TCG VM while the hammers run.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib.bash"
require_single_tcg
rel_setup

CYCLES=${GAP_CYCLES:-70}
assert_ok "$BPFLP" apply "$(patch_obj gap@1)" > /dev/null
assert_state "gap@1" "before the cycles"
linked=$((CYCLES / 4 * 2))
min_checked=${GAP_MIN_CHECKED:-2000}
gap_stress run "$linked" $((min_checked / 2)) "$(patch_obj gap@1)" "$(patch_obj gap@2)"
GAP_APPLY_FLAG=--dispatch gap_stress run $((CYCLES - linked)) $((min_checked / 2)) \
	"$(patch_obj gap@1)" "$(patch_obj gap@2)"
((CYCLES % 2)) && last="gap@2" || last="gap@1"
assert_state "$last" "after $CYCLES cycles"
echo "  ok: $last in effect, nothing leaked"
