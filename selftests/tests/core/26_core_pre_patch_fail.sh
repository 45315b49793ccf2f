#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A pre_patch callback that fails aborts the apply with nothing changed:
# the same bpffs tree, links, trampolines and records, and the active
# patch still serves the calls.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

bpflp_ok apply "$(patch_obj t-cb@1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-cb@1"
before=$(kernel_state)

for mode in plain json; do
	rc=0
	if [[ $mode == json ]]; then
		out=$("$BPFLP" -j apply "$(patch_obj t-fail@1)" 2>&1) || rc=$?
		msg=$(jq -r .error <<< "$out") || fail "-j output is not JSON: $out"
	else
		out=$("$BPFLP" apply "$(patch_obj t-fail@1)" 2>&1) || rc=$?
		msg=$out
	fi
	assert_eq "$rc" 1 "$mode: exit status of the failing apply"
	assert_match "$msg" "pre_patch.*t-fail.*-19" "$mode: message names pre_patch, the patch and its value"
	assert_eq "$(kernel_state)" "$before" "$mode: bpffs tree, links, trampolines and records unchanged"
	assert_behaviour "EPERM ok ok" "$mode: after the failed apply"
done
assert_eq "$(cblog)" "11 12 31 31" "callback log: t-fail's pre_patch ran, nothing after it"
assert_eq "$(patch_field t-fail@1 state)" "" "no record of t-fail"
