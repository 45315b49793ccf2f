#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Three stacked patches on three functions all take effect; one cumulative
# patch then replaces the whole stack at once: it alone stays active, the
# three are "replaced" with their links detached, and the function it does
# not cover is back to the original and loses its trampoline.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-a@1"
bpflp_ok apply "$(patch_obj t-b@1)" --stack > /dev/null
assert_behaviour "EPERM EPERM ok" "with t-a@1 + t-b@1"
bpflp_ok apply "$(patch_obj t-c@1)" --stack > /dev/null
assert_behaviour "EPERM EPERM EPERM" "with t-a@1 + t-b@1 + t-c@1"

assert_eq "$(active_patches)" "t-a@1 t-b@1 t-c@1" "active patches"
assert_eq "$(list_query '[.patches[] | .mode] | join(" ")')" "replace stack stack" "modes"
slots=$(list_query '[.patches[] | .slot] | join(" ")')
read -r sa sb sc <<< "$slots"
((sa < sb && sb < sc)) || fail "stacked slots must increase: $slots"
echo "  ok: slots $slots"
assert_eq "$(list_query .commit_word)" "$(expected_word)" "commit word has the three slots"
for f in security_file_open security_inode_unlink security_inode_mkdir; do
	assert_eq "$(traced $f)" yes "$f traced"
done
old_ids=""
for p in t-a@1 t-b@1 t-c@1; do
	ids=$(patch_link_ids "$p")
	assert_links_live "$ids" "$p links"
	old_ids+=" $ids"
done

out=$(bpflp_ok -j apply "$(patch_obj t-r@1)")
assert_eq "$(jq -r '"\(.name)@\(.version) \(.mode) \(.functions): " + (.replaced | sort | join(" "))' <<< "$out")" \
	"t-r@1 replace 2: t-a@1 t-b@1 t-c@1" "apply result: replaced the whole stack"
assert_behaviour "EACCES EACCES ok" "with t-r@1"
assert_eq "$(active_patches)" "t-r@1" "only the cumulative patch is active"
for p in t-a@1 t-b@1 t-c@1; do
	assert_eq "$(patch_field "$p" state) $(patch_field "$p" replaced_by)" "replaced t-r@1" "$p state"
	assert_eq "$(patch_pins "$p")" meta "pins left for $p"
done
assert_links_gone "$old_ids" "links of the replaced patches"
assert_links_live "$(patch_link_ids t-r@1)" "t-r@1 links"
assert_eq "$(list_query .commit_word)" "$(expected_word)" "commit word is t-r@1's slot alone"
assert_eq "$(traced security_file_open) $(traced security_inode_unlink) $(traced security_inode_mkdir)" \
	"yes yes no" "trampolines on open/unlink/mkdir hooks"
