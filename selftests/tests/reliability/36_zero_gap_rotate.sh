#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Zero gap while a hotfix is rotated the gap-free way: with gap@1 (EPERM)
# active, stack gap-b@1 (EACCES), disable gap@1, stack gap@1 again,
# disable gap-b@1, ... GAP_ROTATE_STEPS transactions (default 80) while
# hammers open() the target. No call runs unpatched; a call that starts
# after a transaction returned sees exactly the newest stacked patch. Then
# the same with the newest patch disabled each time (pop: stack gap-b@1,
# disable gap-b@1), which links gap@1's take and drop for the disable;
# there gap-b@1 is applied with --dispatch, so each stack puts a stub
# over gap@1's link and each disable hands the function back to it. Each
# stack takes the slot released longest ago (32_limits.sh checks that a
# rotation goes through every slot and wraps).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib.bash"
require_single_tcg
rel_setup

STEPS=${GAP_ROTATE_STEPS:-80}
assert_ok "$BPFLP" apply "$(patch_obj gap@1)" > /dev/null
gap_stress rotate "$STEPS" "${GAP_MIN_CHECKED:-1500}" "$(patch_obj gap@1)" gap "$(patch_obj gap-b@1)" gap-b
case $((STEPS % 4)) in
0) want=gap@1 ;;
1 | 2) want=gap-b@1 ;;
3) want="gap-b@1 gap@1" ;;
esac
assert_eq "$(active_set "$(bpflp_list)")" "$want" "active after $STEPS steps"
"$BPFLP" -j list | jq -e '[.patches[] | select(.state == "active") | .slot] | length == (unique | length)' > /dev/null ||
	fail "two active patches share a slot"
echo "  ok: every active patch in a slot of its own after $STEPS steps"

# Pop: stack gap-b@1 over gap@1 and disable it again, GAP_POP_STEPS times:
# the disabled patch is the newest on the function, gap@1 takes over.
[[ $want == *gap-b@1* ]] && assert_ok "$BPFLP" disable gap-b > /dev/null
[[ $want == gap-b@1 ]] && assert_ok "$BPFLP" apply "$(patch_obj gap@1)" > /dev/null
assert_eq "$(active_set "$(bpflp_list)")" gap@1 "active before popping"
pop_steps=$(((${GAP_POP_STEPS:-40} + 1) / 2 * 2)) # even: each stack is undone
GAP_APPLY_FLAG=--dispatch gap_stress pop "$pop_steps" "${GAP_MIN_CHECKED_POP:-500}" "$(patch_obj gap@1)" gap "$(patch_obj gap-b@1)" gap-b
assert_eq "$(active_set "$(bpflp_list)")" gap@1 "active after popping"
