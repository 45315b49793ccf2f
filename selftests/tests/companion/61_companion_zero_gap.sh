#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Zero gap across replaces on the companion route: as 35_zero_gap_stress.sh,
# but gapc@1 (EPERM) and gapc@2 (EACCES) deny open() from vfs_open, which
# only the companion module can replace. Hammer processes open() the target
# while the two versions replace each other GAP_CYCLES times (default 40):
# no call may run unpatched, a call that starts after an apply returned sees
# exactly the version it installed, the kernel logs no WARNING/BUG/Oops, and
# at the end the last version is in effect, nothing leaked, the module
# loaded; after disable it is gone.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../reliability/lib.bash"
require_single_tcg
rel_setup

CYCLES=${GAP_CYCLES:-40}
: > "$TDIR/bpflp-gap-target"	# before a patch denies creating it
assert_ok "$BPFLP" apply "$(patch_obj gapc@1)" > /dev/null
assert_state "gapc@1" "before the cycles"
gap_stress run "$CYCLES" "${GAP_MIN_CHECKED:-1000}" "$(patch_obj gapc@1)" "$(patch_obj gapc@2)"
((CYCLES % 2)) && last="gapc@2" || last="gapc@1"
assert_state "$last" "after $CYCLES cycles"
echo "  ok: $last in effect, nothing leaked"
echo "  companion module: $(cat /dev/bpflp_companion) (PROG DROP FUNCTION CALLS OVERRIDES MISSES)"
assert_ok "$BPFLP" disable gapc > /dev/null
assert_state "" "after disable"
echo "  ok: disabled, the companion module unloaded"
