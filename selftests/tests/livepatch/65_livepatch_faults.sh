#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The livepatch module steps of a transaction under failure:
#  - a transition that cannot finish (bpflp_klp_block's kthread sleeps in
#    the function bpflp_klp_stall patches): --timeout fires, the transition
#    is reversed, the module removed, the BPF side never commits, and the
#    kernel state is what it was;
#  - bpflp SIGKILLed at each module step (klp-begin, klp-inserted,
#    klp-disabling, klp-switched, klp-old-removed) and at the commit, in
#    an upgrade, a drop of the module and a disable, then `bpflp recover`:
#    one consistent patch (BPF side, /proc/version, the one module loaded,
#    nothing of the other), never a stray module.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
lp_setup

V1=$(patch_obj t-v@1)
V2=$(patch_obj t-v@2)
KO1=$(lp_ko bpflp_klp_v1)
KO2=$(lp_ko bpflp_klp_v2)
MARK=$(kernel_log_mark)

# kill_at STEP ARGS...: bpflp ARGS must die at STEP; then recover.
kill_at() {
	local step=$1 rc=0
	shift
	BPFLP_FAULT=$step "$BPFLP" "$@" > /dev/null 2>&1 || rc=$?
	((rc == 137)) || fail "'bpflp $*' with BPFLP_FAULT=$step exited $rc, want 137 (killed there)"
	bpflp_ok recover > /dev/null
}

A="t-v@1 v1 bpflp_klp_v1"
B="t-v@2 v2 bpflp_klp_v2"
bpflp_ok apply "$V1" --module "$KO1" > /dev/null
lp_assert $A "set-up"

# ---- a transition that cannot finish ----------------------------------------
assert_ok insmod "$(lp_ko bpflp_klp_block)"
before=$(kernel_state)
SECONDS=0
rc=0
err=$("$BPFLP" apply "$V2" --module "$(lp_ko bpflp_klp_stall)" --timeout 3 2>&1 > /dev/null) || rc=$?
echo "  timed-out apply: ${SECONDS} s"
assert_eq "$rc" 1 "apply whose transition cannot finish: exit code"
assert_match "$err" "error: the livepatch transition of bpflp_klp_stall did not finish in 3 s.*reversed, nothing changed" "its error"
assert_match "$err" "in transition for 1 s" "progress on stderr"
[[ ! -e /sys/module/bpflp_klp_stall ]] || fail "bpflp_klp_stall still loaded after the timeout"
lp_assert $A "after the timeout: v1 still in effect"
assert_eq "$(kernel_state)" "$before" "BPF state (pins, links, trampolines, records) after the timeout"
assert_match "$(dmesg | grep "livepatch: 'bpflp_klp_stall'" | tail -n1)" "unpatching complete" "kernel log: the stalled transition was reversed"
rmmod bpflp_klp_block || fail "rmmod bpflp_klp_block"

# ---- SIGKILL at each step, then recover ---------------------------------------
# upgrade A -> B: before the transition finished, A stays; after, B is completed.
kill_at klp-begin apply "$V2" --module "$KO2"
lp_assert $A "killed at klp-begin of the upgrade"
kill_at klp-inserted apply "$V2" --module "$KO2"
# The transition runs on after the kill, and may be over before recover
# looks (6.12's often are): recover reverses it if it is still running, or
# completes the upgrade if it is over. Either is one consistent patch.
if [[ $(active_patches) == t-v@2 ]]; then
	lp_assert $B "killed at klp-inserted of the upgrade (transition had finished: completed)"
	bpflp_ok apply "$V1" --module "$KO1" > /dev/null
	lp_assert $A "set-up again"
else
	lp_assert $A "killed at klp-inserted of the upgrade (transition reversed)"
fi
kill_at klp-switched apply "$V2" --module "$KO2"
lp_assert $B "killed at klp-switched of the upgrade"
# downgrade B -> A, killed at the commit (after the switch): completed.
kill_at commit apply "$V1" --module "$KO1"
lp_assert $A "killed at commit of the downgrade"
kill_at klp-old-removed apply "$V2" --module "$KO2"
lp_assert $B "killed at klp-old-removed of the upgrade"
# drop the module B -> t-v@1 without one.
kill_at klp-disabling apply "$V1"
# The kernel goes on unpatching after the kill: recover reverses the
# transition if it is still running, or completes the drop if it is over.
if [[ $(active_patches) == t-v@1 ]]; then
	lp_assert t-v@1 none "" "killed at klp-disabling of the module drop (unpatching had finished: completed)"
	bpflp_ok apply "$V2" --module "$KO2" > /dev/null
	lp_assert $B "set-up again"
else
	lp_assert $B "killed at klp-disabling of the module drop (unpatching reversed)"
fi
kill_at klp-switched apply "$V1"
lp_assert t-v@1 none "" "killed at klp-switched of the module drop"
bpflp_ok apply "$V2" --module "$KO2" > /dev/null
lp_assert $B "set-up of disable"
# disable B.
kill_at klp-disabling disable t-v
if [[ -z $(active_patches) ]]; then
	lp_assert "" none "" "killed at klp-disabling of disable (unpatching had finished: completed)"
	bpflp_ok apply "$V2" --module "$KO2" > /dev/null
	lp_assert $B "set-up of disable again"
else
	lp_assert $B "killed at klp-disabling of disable (unpatching reversed)"
fi
kill_at klp-switched disable t-v
lp_assert "" none "" "killed at klp-switched of disable"
echo "  SIGKILL scenarios: ${SECONDS} s"
assert_kernel_log_clean "$MARK"
