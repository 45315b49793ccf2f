#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Zero gap for observers: gap-obs@1 and gap-obs@2 only observe opens of
# bpflp-gap* (fentry and fexit on security_file_open, counting into
# /sys/fs/bpf/bpflp_gap_obs) and replace each other GAP_OBSERVE_CYCLES
# times (default 60) while hammers open the target. Every open succeeds,
# and every one is counted exactly once on entry and once on exit, by one
# version or the other: none missed (a gap), none counted twice.
#
# Not part of `make check`: run it with `make stress-observe`. In one run of
# 60 cycles (2.93 M opens) one exit was counted by neither version while its
# entry was: the kernel skips the fexit programs of a call that is inside
# the function when its trampoline changes (docs/design.md, "The fexit
# cut"), which no bpflp rule can prevent. It prints the BPF programs'
# recursion misses (the kernel skips a program already running on the CPU)
# and the task-storage gets that failed, the other ways to miss.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib.bash"
require_single_tcg
rel_setup
OBS_PIN=/sys/fs/bpf/bpflp_gap_obs
on_exit "rm -f $OBS_PIN"
rm -f "$OBS_PIN"
: > "$TDIR/bpflp-gap-target"	# before the observers: creating it is an open too

# Task-storage gets that returned NULL, by task: a gate whose get fails
# reads the live word instead of its call's snapshot (design.md, Limits).
TRACEFS=/sys/kernel/tracing
TSG=$TRACEFS/events/kprobes/bpflp_tsg_null
tsg_off() {
	[[ -d $TSG ]] || return 0
	echo 0 > "$TSG/enable"
	echo '!hist:keys=common_pid.execname if ret == 0' > "$TSG/trigger" 2> /dev/null || true
	echo '-:bpflp_tsg_null' >> "$TRACEFS/kprobe_events"
}
tsg_on() {
	echo 'r:bpflp_tsg_null bpf_task_storage_get ret=$retval:u64' >> "$TRACEFS/kprobe_events" || return 0
	echo 'ret == 0' > "$TSG/filter"	# the trace buffer; the hist trigger filters itself
	echo 'hist:keys=common_pid.execname if ret == 0' > "$TSG/trigger"
	echo 1 > "$TSG/enable"
}
on_exit tsg_off
tsg_on

CYCLES=${GAP_OBSERVE_CYCLES:-60}
assert_ok "$BPFLP" apply "$(patch_obj gap-obs@1)" > /dev/null
gap_stress observe "$CYCLES" "${GAP_MIN_CHECKED:-1500}" "$(patch_obj gap-obs@1)" "$(patch_obj gap-obs@2)"
counts=$(bpftool -j map dump pinned "$OBS_PIN" |
	jq -r '[.[] | (.formatted // .) | {k: (.key | tostring), v: .value}] | map({(.k): .v}) | add
		| "\(.["2"] + .["4"]) \(.["3"] + .["5"]) \(.["2"]) \(.["4"])"')
read -r entries exits by_v1 by_v2 <<< "$counts"
echo "  programs the kernel skipped as recursive (bpftool prog show: recursion_misses):"
bpftool -j prog show | jq -r '.[] | select((.recursion_misses // 0) > 0)
	| "    \(.name // .id): \(.recursion_misses)"'

echo "  task-storage gets that returned NULL (hist by task):"
[[ -d $TSG ]] && grep -v '^#' "$TSG/hist" | grep -v '^$' | sed 's/^/    /'
echo "  counted on entry: $entries (gap-obs@1 $by_v1, gap-obs@2 $by_v2), on exit: $exits; calls made: $GAP_CALLS"
assert_eq "$entries" "$GAP_CALLS" "opens counted on entry"
assert_eq "$exits" "$GAP_CALLS" "opens counted on exit"
((by_v1 > 0 && by_v2 > 0)) || fail "both versions must have counted calls"
