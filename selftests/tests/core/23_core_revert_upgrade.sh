#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One cumulative replace upgrades one function and reverts another: v1 fixes
# open and unlink, v2 only open (differently). After v2, unlink is the
# original again and its hook loses its trampoline.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

bpflp_ok apply "$(patch_obj t-v@1)" > /dev/null
assert_behaviour "EPERM EPERM ok" "with t-v@1"
assert_eq "$(traced security_file_open) $(traced security_inode_unlink)" "yes yes" "open/unlink hooks traced"
v1_ids=$(patch_link_ids t-v@1)
assert_eq "$(wc -w <<< "$v1_ids")" 2 "t-v@1 links (2 functions x its fmod_ret)"

out=$(bpflp_ok apply "$(patch_obj t-v@2)")
assert_eq "$out" "applied t-v@2 (replace, 1 function); replaced t-v@1" "apply message"
assert_behaviour "EACCES ok ok" "with t-v@2"
assert_untraced security_inode_unlink "after the revert"
assert_eq "$(traced security_file_open)" yes "security_file_open traced after the upgrade"
assert_eq "$(active_patches)" "t-v@2" "active patches"
assert_eq "$(patch_field t-v@1 state) $(patch_field t-v@1 replaced_by)" "replaced t-v@2" "t-v@1 state"
assert_links_gone "$v1_ids" "t-v@1 links"
assert_eq "$(patch_pins t-v@1)" meta "pins left for t-v@1"
assert_eq "$(bpflp_ok -j show t-v | jq -r '[.version, (.functions[] | .function)] | join(" ")')" \
	"2 security_file_open" "show t-v: version and functions"
