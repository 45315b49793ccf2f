#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two bpflp builds replacing one live patch of N functions in turn, in one
# VM boot: scale-N@2 is applied once (with AB_FLAGS), then each round
# each build replaces it by version TO and back by version 2, timed.
# Version 3 changes one body (k = 1), 4 a tenth, 5 all N (gen.py); with
# --dispatch the unchanged programs are kept. No disable between rounds
# (1000 of them take minutes): the builds must share bpflp's record format.
# Each replaced record is removed (gc, not timed) so every round starts alike.
#   run-in-vm.sh env AB_FLAGS=--dispatch bash swap_ab.sh OLD NEW [N] [TO...]
# One line per replace ("build,round,n,to,ms"), in $BPFLP_VM_SHARE/bench/swap.csv.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
. selftests/tests/bench/scale_lib.bash
old=${1:?usage: swap_ab.sh OLD_BPFLP NEW_BPFLP [N] [TO...]} new=${2:?usage: swap_ab.sh OLD_BPFLP NEW_BPFLP [N] [TO...]}
n=${3:-1000}
shift $(($# < 3 ? $# : 3))
tos=("${@:-3}")
rounds=${AB_ROUNDS:-3}
read -ra flags <<< "${AB_FLAGS:-}"
patches=build/bench/patches
out=${BPFLP_VM_SHARE:-$root/build/vm-share}/bench
for v in 2 "${tos[@]}"; do
	[[ -s $patches/scale-$n-v$v.bpf.o ]] ||
		{ echo "swap_ab: no scale-$n-v$v.bpf.o in $patches; run 'make bench-build'" >&2; exit 1; }
done
ab_ready "$out"
"$new" apply "${flags[@]}" "$patches/scale-$n-v2.bpf.o" > /dev/null
echo "build,round,n,to,ms" > "$out/swap.csv"
for ((round = 1; round <= rounds; round++)); do
	# Old first in odd rounds, new first in even ones: a drift through the boot hits both alike.
	order="old new"
	((round % 2)) || order="new old"
	for build in $order; do
		bin=$old
		[[ $build == new ]] && bin=$new
		for to in "${tos[@]}"; do
			[[ $to == 2 ]] && continue
			for v in "$to" 2; do
				t0=$(now_ms)
				"$bin" apply "${flags[@]}" "$patches/scale-$n-v$v.bpf.o" > /dev/null
				echo "$build,$round,$n,$v,$(($(now_ms) - t0))" | tee -a "$out/swap.csv"
				"$new" gc > /dev/null # records of replaced patches would pile up, each read by every transaction
			done
		done
	done
done
"$new" disable "scale-$n" > /dev/null
