#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: what bpflp costs, measured in the test VM in one run.
# Per call: getsid(0) through security_task_getsid() unpatched, with
# ungated programs, and with bpflp patches (gate + per-call snapshot); a
# BPFLP_REPLACE body on fmod_ret and through the companion module
# (BPFLP_ROUTE=companion forces that route on this security hook, so both
# routes are measured on the same function).
# Per transaction: apply, replace, disable latency, on both routes. TCG emulates the CPU,
# so absolute times mean little; compare the ratios of one run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
bpflp=build/bpflp
bench=build/selftests/platform/bench_getsid
patches=build/selftests/patches
calls=${BENCH_CALLS:-200000}
cycles=${BENCH_CYCLES:-20}
rounds=${BENCH_ROUNDS:-5}

cleanup() {
	for p in bench-gate1 bench-gate2 bench-observe bench-replace1 bench-replace2; do $bpflp disable $p >/dev/null 2>&1 || true; done
	rm -rf /sys/fs/bpf/bpflp
}
trap cleanup EXIT
cleanup

configs=(plain raw-fentry raw-fmod_ret bpflp-fentry bpflp-fmod_ret bpflp-fmod_ret-stacked
	 bpflp-replace-fmod_ret bpflp-replace-companion)

# Put the patches of one configuration in place; print the bench_getsid mode.
setup() {
	case $1 in
	bpflp-fentry) $bpflp apply $patches/bench_observe.bpf.o >/dev/null ;;
	bpflp-fmod_ret) $bpflp apply $patches/bench_gate1.bpf.o >/dev/null ;;
	bpflp-fmod_ret-stacked)
		$bpflp apply $patches/bench_gate1.bpf.o >/dev/null
		$bpflp apply --stack $patches/bench_gate2.bpf.o >/dev/null ;;
	bpflp-replace-fmod_ret) $bpflp apply $patches/bench_replace1.bpf.o >/dev/null ;;
	bpflp-replace-companion)
		BPFLP_ROUTE=companion $bpflp apply $patches/bench_replace1.bpf.o >/dev/null ;;
	esac
	case $1 in raw-*) echo "$1" ;; *) echo plain ;; esac
}

# Rounds interleave the configurations, so drift hits them all alike.
declare -A samples
for ((r = 0; r < rounds; r++)); do
	for c in "${configs[@]}"; do
		mode=$(setup "$c")
		samples[$c]+="$($bench "$mode" "$calls" | awk '{print $2}') "
		cleanup
	done
done
declare -A ns
for c in "${configs[@]}"; do
	ns[$c]=$(tr ' ' '\n' <<< "${samples[$c]}" | grep . | sort -n | sed -n "$(((rounds + 1) / 2))p")
done

printf 'Per call: getsid(0) -> security_task_getsid(), %d calls, median of %d interleaved runs\n' "$calls" "$rounds"
printf '  %-24s %10s %10s %12s\n' "configuration" "ns/call" "x plain" "+ns vs plain"
for k in "${configs[@]}"; do
	awk -v k="$k" -v v="${ns[$k]}" -v p="${ns[plain]}" \
		'BEGIN { printf "  %-24s %10.1f %10.2f %12.1f\n", k, v, v / p, v - p }'
done
awk -v g="${ns[bpflp-fmod_ret]}" -v r="${ns[raw-fmod_ret]}" -v p="${ns[plain]}" \
	'BEGIN { if (r > p) printf "  bpflp fmod_ret (gate + snapshot) adds %.2fx what a raw fmod_ret adds\n", (g - p) / (r - p) }'
awk -v c="${ns[bpflp-replace-companion]}" -v f="${ns[bpflp-replace-fmod_ret]}" -v p="${ns[plain]}" \
	'BEGIN { if (f > p) printf "  the companion route adds %.2fx what the fmod_ret route adds (same body, same function)\n", (c - p) / (f - p) }'

# Transactions: wall time of the CLI, which includes load and verification.
# ROUTE= forces the companion route (its first apply loads the module, its
# disable unloads it).
ms() { date +%s%N; }
transactions() {
	local label=$1 name=$2 t0 t1 t2 t3
	t0=$(ms)
	$bpflp apply $patches/${name}1.bpf.o >/dev/null
	t1=$(ms)
	for ((i = 0; i < cycles; i++)); do
		$bpflp apply $patches/${name}$((i % 2 ? 1 : 2)).bpf.o >/dev/null
	done
	t2=$(ms)
	$bpflp disable ${name//_/-}$((cycles % 2 ? 2 : 1)) >/dev/null
	t3=$(ms)
	awk -v l="$label" -v a=$((t1 - t0)) -v r=$(((t2 - t1) / cycles)) -v d=$((t3 - t2)) \
		'BEGIN { printf "  %-22s first apply %7.1f ms, replace %7.1f ms (mean), disable %7.1f ms\n", l, a / 1e6, r / 1e6, d / 1e6 }'
}
printf 'Per transaction (bpflp CLI wall time, %d replaces)\n' "$cycles"
transactions "fmod_ret" bench_gate
transactions "replace on fmod_ret" bench_replace
BPFLP_ROUTE=companion transactions "replace on companion" bench_replace
echo "(TCG-emulated CPU: compare ratios within this run, not absolute times)"
