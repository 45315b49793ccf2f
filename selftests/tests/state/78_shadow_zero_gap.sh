#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Shadows under the zero-gap hammering: hammer processes open() a file
# while sh-obs@1 and sh-obs@2, which count each task's opens in the shadow
# "calls", replace each other SH_GAP_STEPS times (default 6). Every
# version runs on the same map, so at the end the counts add up to exactly
# the calls made: no counter lost or reset by a replace, none counted twice.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../reliability/lib.bash"
require_single_tcg
rel_setup
SHADOW=$STORE/shadow
STEPS=${SH_GAP_STEPS:-6}

: > "$TDIR/bpflp-gap-target"	# before any observer: this open is not the hammers'
assert_ok "$BPFLP" apply "$(patch_obj sh-obs@1)" > /dev/null
map_id=$(bpftool -j map show pinned "$SHADOW/calls" | jq -r .id)
gap_stress observe "$STEPS" "${SH_GAP_MIN_CALLS:-200}" "$(patch_obj sh-obs@1)" "$(patch_obj sh-obs@2)"
assert_eq "$(bpftool -j map show pinned "$SHADOW/calls" | jq -r .id)" "$map_id" "the same map after $STEPS replaces"
counted=$(bpftool -j map dump pinned "$SHADOW/calls" | jq '[.[].formatted.value.calls] | add')
assert_eq "$counted" "$GAP_CALLS" "opens counted in the shadow, across $STEPS replaces"
