#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Apply one patch, then disable it: the patched open() fails with the
# patch's errno on its target only, bpflp reports the live links and counts
# the overrides, the function carries a trampoline; after disable everything
# is back as it was and only the record's meta stays.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

assert_behaviour "ok ok ok" "before any patch"
assert_eq "$(traced security_file_open)" no "security_file_open traced before apply"

out=$(bpflp_ok apply "$(patch_obj t-a@1)")
assert_eq "$out" "applied t-a@1 (replace, 1 function)" "apply message"
assert_behaviour "EPERM ok ok" "with t-a@1"
assert_eq "$("$PROBE" open "$TARGET_OPEN")" EPERM "second denied open"
assert_eq "$(active_patches)" "t-a@1" "active patches"
assert_eq "$(patch_field t-a@1 state)" active "t-a@1 state"
assert_eq "$(patch_field t-a@1 mode)" replace "t-a@1 mode"
assert_eq "$(patch_field t-a@1 object)" "$(patch_obj t-a@1)" "t-a@1 object path"
assert_eq "$(list_query .commit_word)" "$(expected_word)" "commit word matches the active slot"
assert_eq "$(traced security_file_open)" yes "security_file_open traced"

show=$(bpflp_ok -j show t-a)
assert_eq "$(jq -r '[.functions[] | "\(.function):\(.attach_type):\(.attached)"] | join(" ")' <<< "$show")" \
	"security_file_open:fmod_ret:true" "show: functions"
link_id=$(jq -r '.functions[0].link_id' <<< "$show")
pin=$(jq -r '.functions[0].link_pin' <<< "$show")
assert_eq "$pin" "$STORE/patches/t-a@1/security_file_open__fmod_ret_link" "show: link pin"
assert_eq "$(bpftool -j link show pinned "$pin" | jq -r '"\(.id) \(.prog_id) \(.attach_type)"')" \
	"$link_id $(jq -r '.functions[0].prog_id' <<< "$show") modify_return" "pinned link is the one show reports"
overrides=$(jq -r '.functions[0].overrides' <<< "$show")
calls=$(jq -r '.functions[0].calls' <<< "$show")
((overrides >= 2)) || fail "show: overrides $overrides, want >= 2 (two denied opens)"
((calls >= overrides + 2)) || fail "show: calls $calls, want >= overrides + 2 (the allowed opens)"
echo "  ok: show counts $calls calls, $overrides overrides"
ids=$(patch_link_ids t-a@1)
assert_eq "$(wc -w <<< "$ids")" 1 "t-a@1 pins one link (its fmod_ret; take and drop only during a transaction)"
assert_links_live "$ids" "t-a@1 links while active"

out=$(bpflp_ok disable t-a)
assert_eq "$out" "disabled t-a@1" "disable message"
assert_behaviour "ok ok ok" "after disable"
assert_links_gone "$ids" "t-a@1 links after disable"
assert_untraced security_file_open "after disable"
assert_eq "$(patch_field t-a@1 state)" disabled "t-a@1 state after disable"
assert_eq "$(active_patches)" "" "active patches after disable"
assert_eq "$(list_query .commit_word)" 0 "commit word after disable"
assert_eq "$(patch_pins t-a@1)" meta "pins left for t-a@1"
assert_eq "$(bpflp_ok -j show t-a | jq -r '[.functions[] | .attached] | join(" ")')" false \
	"show: not attached after disable"
