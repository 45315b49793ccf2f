#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The companion livepatch module selftests/kmod/bpflp_test_klp.c replaces
# cmdline_proc_show(): /proc/cmdline changes while it is enabled and comes
# back after disable + rmmod.
. "$(dirname "$0")/../../lib.sh"
require_root
[[ -d /sys/kernel/livepatch ]] || skip "kernel without CONFIG_LIVEPATCH"

mod=bpflp_test_klp
ko=$(kmod_path $mod)
sysdir=/sys/kernel/livepatch/$mod
text="bpflp_test_klp: this has been live patched"

teardown() {
	if [[ -d $sysdir ]]; then
		wait_for 30 grep -qx 0 "$sysdir/transition"
		echo 0 > "$sysdir/enabled"
		wait_for 30 test ! -d "$sysdir"
	fi
	grep -q "^$mod " /proc/modules && rmmod "$mod"
}
grep -q "^$mod " /proc/modules && fail "$mod already loaded before the test"
original=$(cat /proc/cmdline)
on_exit teardown

assert_ok insmod "$ko"
wait_for 30 grep -qx 0 "$sysdir/transition" || fail "patch transition did not finish in 30 s"
assert_eq "$(cat "$sysdir/enabled")" 1 "$sysdir/enabled"
assert_eq "$(cat "$sysdir/transition")" 0 "$sysdir/transition"
assert_eq "$(cat /proc/cmdline)" "$text" "/proc/cmdline while patched"
assert_match "$(dmesg | grep "livepatch: '$mod'" | tail -n1)" "patching complete" "kernel log"

echo 0 > "$sysdir/enabled"
wait_for 30 test ! -d "$sysdir" || fail "$sysdir still there 30 s after disable"
wait_for 30 rmmod "$mod" 2>/dev/null || fail "rmmod $mod failed"
assert_eq "$(cat /proc/cmdline)" "$original" "/proc/cmdline after disable + rmmod"
assert_match "$(dmesg | grep "livepatch: '$mod'" | tail -n1)" "unpatching complete" "kernel log"
