#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Zero gap across replaces: hammer processes open() a file that gap@1
# denies with EPERM and gap@2 with EACCES while gap@1 and gap@2 replace each
# other (every other replace a downgrade) GAP_CYCLES times (default 500).
# No call may run unpatched, and a call that starts after an apply returned
# must see exactly the version it installed (selftests/platform/gap_hammer.c
# explains the seqlock that decides which calls are checked exactly). The
# kernel must log no WARNING, BUG or Oops meanwhile, and at the end the
# last version is in effect with nothing leaked.
#
# 500 cycles take about 9 min in the TCG VM (an apply takes ~1 s there while
# the hammers run): run-tests.sh -t 900, or set GAP_CYCLES lower.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/reliability_lib.bash"
# Multi-threaded TCG (qemu's default for -smp 2) livelocks when a CPU runs
# a function while another live-patches its ftrace site (text_poke_bp): the
# CPU re-executes a stale int3 forever and the VM wedges. It happens with a
# plain ftrace tracer too, without BPF. Single-threaded TCG is fine.
[[ ${BPFLP_VM:-} == 1 && ${BPFLP_VM_TCG_THREAD:-} != single ]] &&
	skip "needs the VM on single-threaded TCG (-accel tcg,thread=single, exported as BPFLP_VM_TCG_THREAD=single): multi-threaded TCG wedges under concurrent text_poke"
rel_setup

CYCLES=${GAP_CYCLES:-500}
HAMMERS=${GAP_HAMMERS:-4}
MIN_CHECKED=${GAP_MIN_CHECKED:-10000}
V1=$(patch_obj gap_v1)
V2=$(patch_obj gap_v2)
target=$TDIR/bpflp-gap-target
: > "$target"

assert_ok "$BPFLP" apply "$V1" > /dev/null
assert_state "gap@1" "before the cycles"

marker="bpflp-selftest: 35_zero_gap_stress start $$"
echo "$marker" > /dev/kmsg
rc=0
out=$("$HAMMER" run "$TDIR/shared" "$target" "$HAMMERS" "$CYCLES" "$BPFLP" "$V1" "$V2") || rc=$?
echo "$out" | sed 's/^/  /'
((rc == 0)) || fail "gap_hammer run exited $rc (see above)"

[[ $out =~ calls\ checked:\ ([0-9]+),\ calls\ total:\ ([0-9]+),\ cycles:\ ([0-9]+),\ mismatches:\ ([0-9]+) ]] ||
	fail "cannot parse gap_hammer's summary"
checked=${BASH_REMATCH[1]} cycles=${BASH_REMATCH[3]} mismatches=${BASH_REMATCH[4]}
assert_eq "$mismatches" 0 "mismatches"
assert_eq "$cycles" "$CYCLES" "replace cycles"
((checked >= MIN_CHECKED)) || fail "only $checked calls checked exactly, want at least $MIN_CHECKED"
echo "  ok: $checked calls checked exactly (>= $MIN_CHECKED)"

kernel_log=$(dmesg | sed -n "/$marker/,\$p" | grep -E 'WARNING|BUG|Oops|Call Trace|detected stalls|soft lockup|blocked for more than' || true)
[[ -z $kernel_log ]] || fail "kernel log during the test:"$'\n'"$kernel_log"
echo "  ok: no WARNING/BUG/Oops in the kernel log"

((CYCLES % 2)) && last="gap@2" || last="gap@1"
assert_state "$last" "after $CYCLES cycles"
echo "  ok: $last in effect, nothing leaked"
