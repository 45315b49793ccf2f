#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection at the shadow steps: bpflp is killed (BPFLP_FAULT) at a
# step of an apply that inherits (t-sh@1 -> @2) or migrates (t-sh@1 -> @3)
# the shadow rl, or of a disable; `recover` then rolls the transaction back
# (killed before the commit) or forward (after it). Either way no entry is
# lost: the count made under t-sh@1 is there, in the layout of the patch in
# effect, no migration map or other shadow is left behind, and the maps of
# the side that lost are freed.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
shadow_setup

PRE_COMMIT=" shadow-pinned staged migrated commit "

# rl_maps: how many shadow maps named rl the kernel holds.
rl_maps() { bpftool -j map list | jq '[.[] | select(.name == "bpflp_shadow_rl")] | length'; }
one_rl_map() { [[ $(rl_maps) == 1 ]]; }

# killed_apply OBJ STEP NEW_SPEC NEW_VALUES NEW_OUTCOME
killed_apply() {
	local obj=$1 step=$2 spec values outcome rc=0
	bpflp_reset
	bpflp_ok apply "$(patch_obj t-sh@1)" > /dev/null
	rl_opens 4
	BPFLP_FAULT=$step "$BPFLP" apply "$(patch_obj "$obj")" > /dev/null 2>&1 || rc=$?
	assert_eq "$rc" 137 "$obj killed at $step"
	bpflp_ok recover > /dev/null
	if [[ $PRE_COMMIT == *" $step "* ]]; then
		spec=t-sh@1 values='[{"opens":4}]' outcome=EPERM
	else
		spec=$3 values=$4 outcome=$5
	fi
	assert_eq "$(active_patches)" "$spec" "$obj/$step: in effect after recover"
	assert_eq "$(shadow_values rl)" "$values" "$obj/$step: rl after recover"
	assert_eq "$(shadow_pins)" "rl " "$obj/$step: shadow pins"
	assert_opens 1 "$outcome" "$obj/$step: behaviour (count 5)"
	wait_for 60 one_rl_map || fail "$obj/$step: $(rl_maps) maps named bpflp_shadow_rl"
}

# (commit and the other steps every apply passes: 30_fault_injection.sh)
for step in shadow-pinned shadow-settle; do
	killed_apply t-sh@2 "$step" t-sh@2 '[{"opens":4}]' ok
done
for step in shadow-pinned migrated committed shadow-settle; do
	killed_apply t-sh@3 "$step" t-sh@3 '[{"opens":4,"limit":8}]' ok
done

# A disable killed after its commit: recovery keeps (--keep-shadow) or frees, as asked.
for keep in --keep-shadow ""; do
	bpflp_reset
	bpflp_ok apply "$(patch_obj t-sh@1)" > /dev/null
	rl_opens 2
	rc=0
	BPFLP_FAULT=shadow-settle "$BPFLP" disable t-sh $keep > /dev/null 2>&1 || rc=$?
	assert_eq "$rc" 137 "disable $keep killed at shadow-settle"
	bpflp_ok recover > /dev/null
	if [[ -n $keep ]]; then
		assert_eq "$(shadow_pins)" "kept kept/rl " "disable $keep, recovered: kept"
		assert_eq "$(bpftool -j map dump pinned "$SHADOW/kept/rl" | jq -c '[.[].formatted.value]')" \
			'[{"opens":2}]' "kept entries"
	else
		assert_eq "$(shadow_pins)" "" "disable, recovered: freed"
	fi
done
