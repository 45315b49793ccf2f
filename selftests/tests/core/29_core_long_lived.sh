#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A long-lived task keeps calling a patched function across replaces, on a
# kernel without per-syscall stack randomisation, so its calls reuse the same
# trampoline frame address. Per-call state must never outlive its call:
#  - t-a@1 (fmod_ret on security_file_open) replaced by t-o@1 (only an fexit
#    there): t-o@1 observes every one of the task's calls;
#  - and back: t-a@1 denies every call again;
#  - t-o@1 stacked over t-a@1 (the newest stacked patch wins the function):
#    t-o@1 observes every call and none is denied; t-o@1 disabled: t-a@1
#    denies every call; stacked again and t-a@1 disabled: t-o@1 observes all.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

on_exit "rm -f $T_OBS_PIN"
LOOP=$(build_path selftests/helpers/call_loop)
CALLS=${LONG_LIVED_CALLS:-3000}
[[ $(< /proc/cmdline) == *randomize_kstack_offset=off* ]] ||
	fail "the VM must boot with randomize_kstack_offset=off (selftests/vm/run-in-vm.sh)"

coproc LOOPER { "$LOOP" "$TARGET_OPEN"; }
looper_pid=$LOOPER_PID
on_exit "kill $looper_pid 2>/dev/null"
# calls N: the long-lived task opens the target N times; prints the outcomes.
calls() {
	local out
	echo "$1" >&"${LOOPER[1]}"
	read -r -t 120 out <&"${LOOPER[0]}" || fail "call_loop did not answer"
	echo "$out"
}

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(calls 200)" "ok=0 EPERM=200 EACCES=0 other=0" "200 calls under t-a@1 (fmod_ret)"

bpflp_ok apply "$(patch_obj t-o@1)" > /dev/null
assert_eq "$(active_patches)" "t-o@1" "t-o@1 replaced t-a@1"
assert_eq "$(traced security_file_open)" yes "security_file_open traced by t-o@1"
before=$(t_observed)
assert_eq "$(calls "$CALLS")" "ok=$CALLS EPERM=0 EACCES=0 other=0" "$CALLS calls under t-o@1 (fexit only)"
assert_eq "$(($(t_observed) - before))" "$CALLS" "calls t-o@1 observed of the task's $CALLS"

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(active_patches)" "t-a@1" "t-a@1 replaced t-o@1"
assert_eq "$(calls "$CALLS")" "ok=0 EPERM=$CALLS EACCES=0 other=0" "$CALLS calls under t-a@1 again"

bpflp_ok apply "$(patch_obj t-o@1)" --stack > /dev/null
assert_eq "$(active_patches)" "t-a@1 t-o@1" "t-o@1 stacked over t-a@1"
before=$(t_observed)
assert_eq "$(calls 500)" "ok=500 EPERM=0 EACCES=0 other=0" "500 calls: t-o@1 (newest) wins security_file_open"
assert_eq "$(($(t_observed) - before))" 500 "calls t-o@1 observed while stacked"
bpflp_ok disable t-o > /dev/null
assert_eq "$(calls "$CALLS")" "ok=0 EPERM=$CALLS EACCES=0 other=0" "$CALLS calls after disabling t-o@1"

bpflp_ok apply "$(patch_obj t-o@1)" --stack > /dev/null
bpflp_ok disable t-a > /dev/null
assert_eq "$(active_patches)" "t-o@1" "t-o@1 left after disabling t-a@1"
before=$(t_observed)
assert_eq "$(calls "$CALLS")" "ok=$CALLS EPERM=0 EACCES=0 other=0" "$CALLS calls after disabling t-a@1"
assert_eq "$(($(t_observed) - before))" "$CALLS" "calls t-o@1 observed after t-a@1 went"
