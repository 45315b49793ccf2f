#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Forced transitions follow the kernel's rule: a livepatch module whose
# transition was forced is never removed. bpflp_klp_block's kthread sleeps
# in the function bpflp_klp_forced patches, so the transition of an apply
# carrying it cannot finish; the operator forces it (sysfs `force`), the
# apply then commits; the disable that follows leaves the module loaded,
# says why, and `list` reports it as forced (plain and JSON). The module
# stays loaded for the rest of the VM's life: no other test uses it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/core_lib.bash"
. "$(dirname "$0")/livepatch_lib.bash"
lp_setup
[[ ! -e /sys/module/bpflp_klp_forced ]] || skip "bpflp_klp_forced is loaded already (forced in an earlier run of this VM)"
on_exit "rmmod bpflp_klp_block 2> /dev/null || true"

assert_ok insmod "$(lp_ko bpflp_klp_block)"
"$BPFLP" apply "$(patch_obj t_v1)" --module "$(lp_ko bpflp_klp_forced)" --timeout 120 \
	> "$TDIR/apply.out" 2> "$TDIR/apply.err" &
apply_pid=$!
wait_for 60 grep -qx 1 "$LP_SYSFS/bpflp_klp_forced/transition" 2> /dev/null ||
	fail "bpflp_klp_forced never started its transition: $(cat "$TDIR/apply.err")"
sleep 1
assert_eq "$(cat "$LP_SYSFS/bpflp_klp_forced/transition")" 1 "transition still open (the kthread sleeps in the function)"
assert_eq "$(active_patches)" "" "nothing committed while the transition is open"

echo 1 > "$LP_SYSFS/bpflp_klp_forced/force"
rc=0
wait "$apply_pid" || rc=$?
assert_eq "$rc" 0 "exit status of the apply whose transition was forced ($(cat "$TDIR/apply.err"))"
assert_eq "$(active_patches)" t-v@1 "active patch after the forced transition"
assert_eq "$(cat "$LP_SYSFS/bpflp_klp_forced/enabled") $(cat "$LP_SYSFS/bpflp_klp_forced/transition")" "1 0" \
	"bpflp_klp_forced enabled, transition over"

err=$("$BPFLP" disable t-v 2>&1 > /dev/null) || fail "disable t-v failed: $err"
assert_match "$err" "livepatch module bpflp_klp_forced stays loaded: its transition was forced" "disable says why the module stays"
assert_eq "$(active_patches)" "" "active patches after disable"
[[ ! -e $LP_SYSFS/bpflp_klp_forced ]] || fail "the forced livepatch is still registered after disable"
[[ -e /sys/module/bpflp_klp_forced ]] || fail "bpflp_klp_forced was removed: the kernel keeps a forced patch's module"
echo "  ok: bpflp_klp_forced disabled, unregistered, still loaded"
assert_match "$("$BPFLP" list)" "livepatch module bpflp_klp_forced: forced, stays loaded" "list says it is forced"
assert_eq "$("$BPFLP" -j list | jq -c .livepatch_kept)" '["bpflp_klp_forced"]' "list -j: livepatch_kept"
