#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two bpflp builds side by side in one VM boot, on the same generated
# patches of the target module bpflp_bench: apply (v1), replace (v1 -> v2)
# and disable, in ms, the builds interleaved round by round so that other
# load on the host hits both alike. For a before/after of a loader change:
#   make bench-ab OLD=path/to/old/bpflp [NEW=build/bpflp] [AB_SIZES="4 100"] [AB_ROUNDS=2]
# AB_FLAGS are given to every apply (--dispatch: the stub route), and
# AB_TO picks the replacing version (v2, the default, changes no body; v3
# changes one: k = 1, with --dispatch the other N - 1 programs are kept).
# Prints one line per measurement and a CSV in $BPFLP_VM_SHARE/bench/ab.csv.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
. selftests/tests/bench/scale_lib.bash
old=${1:?usage: loader_ab.sh OLD_BPFLP NEW_BPFLP} new=${2:?usage: loader_ab.sh OLD_BPFLP NEW_BPFLP}
sizes=${AB_SIZES:-4 100} rounds=${AB_ROUNDS:-2} to=${AB_TO:-v2}
read -ra flags <<< "${AB_FLAGS:-}"
patches=build/bench/patches
out=${BPFLP_VM_SHARE:-$root/build/vm-share}/bench
for n in $sizes; do
	[[ -s $patches/scale-$n-v1.bpf.o && -s $patches/scale-$n-$to.bpf.o ]] ||
		{ echo "loader_ab: no patch of $n functions in $patches; run 'make bench-build'" >&2; exit 1; }
done
ab_ready "$out"
echo "build,round,n,apply_ms,replace_ms,disable_ms" > "$out/ab.csv"
for ((round = 1; round <= rounds; round++)); do
	for build in old new; do
		bin=$old
		[[ $build == new ]] && bin=$new
		for n in $sizes; do
			t0=$(now_ms)
			"$bin" apply "${flags[@]}" $patches/scale-$n-v1.bpf.o > /dev/null
			t1=$(now_ms)
			"$bin" apply "${flags[@]}" $patches/scale-$n-$to.bpf.o > /dev/null
			t2=$(now_ms)
			"$bin" disable scale-$n > /dev/null
			t3=$(now_ms)
			echo "$build,$round,$n,$((t1 - t0)),$((t2 - t1)),$((t3 - t2))" | tee -a "$out/ab.csv"
		done
	done
done
