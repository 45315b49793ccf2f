#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The scale benchmark's smoke run (BENCH_SMOKE=1 selftests/tests/bench/scale.sh:
# N = 1 and 4, few calls), so that it never rots. Timings are not judged:
# only that every row is well formed and every patch took effect (the
# script itself checks that each bpflp patch is active with all its
# functions attached, that each livepatch is enabled, and that the per-call
# bpflp patch counted every call).
. "$(dirname "$0")/../../lib.sh"
require_root
[[ -d /sys/kernel/livepatch ]] || skip "kernel without CONFIG_LIVEPATCH"
build_path "bench/kmod/$(uname -r)/manifest" > /dev/null
out=${BPFLP_VM_SHARE:?}/bench
rm -f "$out"/scale.csv "$out"/scale-mem.csv "$out"/percall.csv

assert_ok env BENCH_SMOKE=1 bash "$BPFLP_ROOT/selftests/tests/bench/scale.sh"

num='[0-9]+(\.[0-9]+)?'
# tool,n,op,total_ms,open_ms,load_ms,attach_ms,commit_us,detach_ms,release_ms
assert_eq "$(grep -cE "^bpflp,(1|4),(apply|replace|disable),$num,$num,($num)?,($num)?,$num,$num,($num)?$" "$out/scale.csv")" 6 \
	"bpflp rows of scale.csv (N = 1, 4 x apply, replace, disable)"
assert_eq "$(grep -cE "^bpflp,(1,replace_k1|4,replace_k1|4,replace_k4),$num,$num,($num)?,($num)?,$num,$num,($num)?$" "$out/scale.csv")" 3 \
	"k-of-N replace rows of scale.csv (N = 1: k = 1; N = 4: k = 1, 4)"
assert_eq "$(grep -cE "^bpflp-dispatch,(1|4),(apply|replace|replace_k1|replace_k4|disable),$num,$num,($num)?,($num)?,$num,$num,($num)?$" "$out/scale.csv")" 9 \
	"bpflp-dispatch rows of scale.csv (apply --dispatch)"
assert_eq "$(grep -cE "^dispatch,(1|4),(apply|replace|replace_k1|replace_k4|disable),$num,$num,$num,$num,$num,$num,$" "$out/scale.csv")" 9 \
	"rows of the dispatch probe (each switch checked by the probe on the functions it calls)"
assert_eq "$(grep -cE "^livepatch,(1|4),(apply|replace|disable),$num,,,,,,($num)?$" "$out/scale.csv")" 6 \
	"livepatch rows of scale.csv"
assert_eq "$(grep -cE "^bpflp,1,3,$num,$num,$num,$num,$num,1,4096,$" "$out/scale-mem.csv")" 1 \
	"memory row of N = 1 (3 programs: patch, take, drop; one trampoline page)"
assert_eq "$(grep -cE "^livepatch,(1|4),,,,,,,,,[0-9]+$" "$out/scale-mem.csv")" 2 "livepatch module sizes"
assert_eq "$(grep -cE "^(lsm|fn0),(plain|control|raw_fmod_ret|raw_count|bpflp|bpflp_nostats|bpflp_dispatch|livepatch),[0-9]+,1,$num,$num,$num$" "$out/percall.csv")" 11 \
	"per-call rows (lsm: plain, control, raw, raw count, bpflp, bpflp without counters, dispatched; fn0: plain, raw, bpflp, livepatch)"
