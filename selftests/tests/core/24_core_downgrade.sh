#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Downgrade: applying v1 over v2 brings back v1's behaviour (including the
# function v2 had reverted); upgrading to v2 again reuses v2's record.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

bpflp_ok apply "$(patch_obj t-v@2)" > /dev/null
assert_behaviour "EACCES ok ok" "with t-v@2"
v2_ids=$(patch_link_ids t-v@2)

out=$(bpflp_ok apply "$(patch_obj t-v@1)")
assert_eq "$out" "applied t-v@1 (replace, 2 functions); replaced t-v@2" "downgrade message"
assert_behaviour "EPERM EPERM ok" "after downgrade to t-v@1"
assert_eq "$(active_patches)" "t-v@1" "active patches"
assert_eq "$(patch_field t-v@2 state) $(patch_field t-v@2 replaced_by)" "replaced t-v@1" "t-v@2 state"
assert_links_gone "$v2_ids" "t-v@2 links"
assert_eq "$(traced security_inode_unlink)" yes "security_inode_unlink traced again"
v1_ids=$(patch_link_ids t-v@1)

bpflp_ok apply "$(patch_obj t-v@2)" > /dev/null
assert_behaviour "EACCES ok ok" "after upgrading to t-v@2 again"
assert_eq "$(list_query '[.patches[] | "\(.name)@\(.version):\(.state)"] | sort | join(" ")')" \
	"t-v@1:replaced t-v@2:active" "one record per version"
assert_links_gone "$v1_ids" "t-v@1 links"
assert_untraced security_inode_unlink "after the downgrade"
