#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two stacked patches on one function: the newer wins and the older's gate
# stays shut (its counters do not move); disabling the newer brings the
# older back. Stacked again, disabling the older leaves the newer in charge.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

overrides() { bpflp_ok -j show "$1" | jq -r '.functions[0].overrides'; }

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-a@1"
a_before=$(overrides t-a@1)
((a_before >= 1)) || fail "t-a@1 overrides $a_before, want >= 1"

bpflp_ok apply "$(patch_obj t-s@1)" --stack > /dev/null
assert_behaviour "EACCES ok ok" "with t-s@1 stacked on t-a@1"
assert_eq "$("$PROBE" open "$TARGET_OPEN")" EACCES "second open with t-s@1"
assert_eq "$(active_patches)" "t-a@1 t-s@1" "both active"
a_ids=$(patch_link_ids t-a@1)
s_ids=$(patch_link_ids t-s@1)
assert_links_live "$a_ids $s_ids" "both patches' links"
assert_eq "$(overrides t-a@1)" "$a_before" "t-a@1 overrides while covered by t-s@1"
s_over=$(overrides t-s@1)
((s_over >= 2)) || fail "t-s@1 overrides $s_over, want >= 2"
echo "  ok: t-s@1 overrides $s_over"

bpflp_ok disable t-s > /dev/null
assert_behaviour "EPERM ok ok" "after disabling t-s@1"
assert_links_gone "$s_ids" "t-s@1 links after disable"
assert_links_live "$a_ids" "t-a@1 links after disabling t-s@1"
assert_eq "$(active_patches)" "t-a@1" "active after disabling t-s@1"
assert_eq "$(list_query .commit_word)" "$(expected_word)" "commit word"
((a_after = $(overrides t-a@1), a_after > a_before)) || fail "t-a@1 overrides did not grow again"
echo "  ok: t-a@1 serves the calls again"

# Disabling the lower patch of the stack leaves the newer one in charge.
bpflp_ok apply "$(patch_obj t-s@1)" --stack > /dev/null
assert_behaviour "EACCES ok ok" "with t-s@1 stacked again"
s_ids=$(patch_link_ids t-s@1)
bpflp_ok disable t-a > /dev/null
assert_behaviour "EACCES ok ok" "after disabling the lower t-a@1"
assert_links_gone "$a_ids" "t-a@1 links after disable"
assert_links_live "$s_ids" "t-s@1 links after disabling t-a@1"
assert_eq "$(active_patches)" "t-s@1" "active after disabling t-a@1"
assert_eq "$(list_query .commit_word)" "$(expected_word)" "commit word"

bpflp_ok disable t-s > /dev/null
assert_behaviour "ok ok ok" "after disabling both"
assert_links_gone "$s_ids" "t-s@1 links after disable"
assert_untraced security_file_open "once no patch is on it"
