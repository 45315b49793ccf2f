#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Callback order. Each callback of t-cb@N logs N*10+k (k: 1 pre_patch,
# 2 post_patch, 3 pre_unpatch, 4 post_unpatch). A replace runs only the
# incoming patch's callbacks; a disable runs the patch's unpatch callbacks.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

assert_eq "$(cblog)" "" "callback log before apply"
bpflp_ok apply "$(patch_obj t-cb@1)" > /dev/null
assert_eq "$(cblog)" "11 12" "callbacks after applying t-cb@1"
assert_behaviour "EPERM ok ok" "with t-cb@1"
pins=" $(patch_pins t-cb@1) "
[[ $pins == *" cb_pre_unpatch "* && $pins == *" cb_post_unpatch "* ]] ||
	fail "unpatch callbacks not pinned for a later disable: $pins"
echo "  ok: unpatch callbacks pinned"

bpflp_ok apply "$(patch_obj t-cb@2)" > /dev/null
assert_eq "$(cblog)" "11 12 21 22" "callbacks after replacing with t-cb@2 (no t-cb@1 unpatch)"
assert_behaviour "EACCES ok ok" "with t-cb@2"
assert_eq "$(patch_pins t-cb@1)" meta "pins left for the replaced t-cb@1"

out=$("$BPFLP" disable t-cb@1 2>&1) && fail "disabling the replaced t-cb@1 succeeded: $out"
assert_eq "$(cblog)" "11 12 21 22" "callbacks after refusing to disable t-cb@1"

bpflp_ok disable t-cb > /dev/null
assert_eq "$(cblog)" "11 12 21 22 23 24" "callbacks after disabling t-cb@2"
assert_behaviour "ok ok ok" "after disable"
