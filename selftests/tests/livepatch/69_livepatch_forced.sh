#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Forced transitions follow the kernel's rule: forcing a replacing
# transition marks the patches it replaces as forced, and the kernel never
# releases a forced patch's module. t-v@1 carries bpflp_klp_forced_old;
# t-v@2 carries bpflp_klp_forced, whose transition cannot finish
# (bpflp_klp_block's kthread sleeps in the function it patches). The
# operator forces it (sysfs `force`) while the apply waits: the apply
# commits, says the old module stays loaded and why, and `list` reports it
# as forced (plain and JSON). Disabling t-v@2 then removes
# bpflp_klp_forced normally. bpflp_klp_forced_old stays loaded for the rest
# of the VM's life: no other test loads it.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
lp_setup
[[ ! -e /sys/module/bpflp_klp_forced_old ]] ||
	skip "bpflp_klp_forced_old is loaded already (forced in an earlier run in this VM)"
on_exit "rmmod bpflp_klp_block 2> /dev/null || true"

assert_ok insmod "$(lp_ko bpflp_klp_block)"
bpflp_ok apply "$(patch_obj t-v@1)" --module "$(lp_ko bpflp_klp_forced_old)" > /dev/null
assert_eq "$(cat "$LP_SYSFS/bpflp_klp_forced_old/enabled")" 1 "bpflp_klp_forced_old enabled with t-v@1"

"$BPFLP" apply "$(patch_obj t-v@2)" --module "$(lp_ko bpflp_klp_forced)" --timeout 120 \
	> "$TDIR/apply.out" 2> "$TDIR/apply.err" &
apply_pid=$!
wait_for 60 grep -qx 1 "$LP_SYSFS/bpflp_klp_forced/transition" 2> /dev/null ||
	fail "bpflp_klp_forced never started its transition: $(cat "$TDIR/apply.err")"
sleep 1
assert_eq "$(cat "$LP_SYSFS/bpflp_klp_forced/transition")" 1 "transition still open (the kthread sleeps in the function)"
assert_eq "$(active_patches)" t-v@1 "t-v@1 still the active patch while the transition is open"

echo 1 > "$LP_SYSFS/bpflp_klp_forced/force"
rc=0
wait "$apply_pid" || rc=$?
assert_eq "$rc" 0 "exit status of the apply whose transition was forced"
assert_match "$(< "$TDIR/apply.err")" "livepatch module bpflp_klp_forced_old stays loaded: its transition was forced" \
	"apply says why the replaced module stays"
assert_eq "$(active_patches)" t-v@2 "active patch after the forced transition"
[[ ! -e $LP_SYSFS/bpflp_klp_forced_old ]] || fail "the replaced livepatch is still registered"
[[ -e /sys/module/bpflp_klp_forced_old ]] || fail "bpflp_klp_forced_old was removed: the kernel keeps a forced patch's module"
echo "  ok: bpflp_klp_forced_old replaced, unregistered, still loaded"
assert_match "$("$BPFLP" list)" "livepatch module bpflp_klp_forced_old: forced, stays loaded" "list says it is forced"
assert_eq "$("$BPFLP" -j list | jq -c .livepatch_kept)" '["bpflp_klp_forced_old"]' "list -j: livepatch_kept"

bpflp_ok disable t-v > /dev/null
[[ ! -e /sys/module/bpflp_klp_forced ]] || fail "bpflp_klp_forced still loaded after disable (it was not the forced one)"
echo "  ok: disable removed bpflp_klp_forced"
