#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: what bpflp costs, measured in the test VM in one run.
# Per call: getsid(pid) through security_task_getsid() unpatched; with
# ungated programs, the bare floor and then the gate's pieces one by one
# (the ablation: word read, per-CPU array counter, the per-CPU hash counter
# it replaced), and the design probe's stub that tail-calls an empty
# fmod_ret (raw-dispatch) beside bpflp's own stub doing so between
# transactions (stub-dispatch: it also reads flux), and running bench-gate1's
# program loaded as a dispatched one, its gate folded open (stub-bpflp); with bpflp patches between transactions and while one is
# held open (full per-call snapshot), and with its call counters off
# (bpflp stats off, -nostats); a BPFLP_REPLACE body on fmod_ret and
# through the companion module (BPFLP_ROUTE=companion forces that route on
# this security hook, so both routes are measured on the same function).
# Then, per program, figures the emulator does not distort: instructions,
# JIT'd bytes, helper calls, and the kernel's run-time statistics.
# Tables on stdout; CSVs in $BPFLP_VM_SHARE/bench (build/vm-share/bench/).
# Per transaction: apply, replace, disable latency, on both routes. TCG emulates the CPU,
# so absolute times mean little; compare the ratios of one run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
bpflp=build/bpflp
bench=build/selftests/helpers/bench_getsid
patches=build/selftests/tests/bench
calls=${BENCH_CALLS:-50000}
cycles=${BENCH_CYCLES:-20}
rounds=${BENCH_ROUNDS:-15}
export BENCH_DISPATCH_OBJ=$patches/bench-gate1@1.bpf.o	# stub-bpflp's program

# bpflp-fmod_ret-in-txn: a replace held (BPFLP_PAUSE) once staged: flux is
# raised and the incoming patch's take, gate (shut) and drop are attached,
# so calls take the full per-call snapshot, which every call paid before
# take and drop became transaction-time links (docs/design.md, "Between
# transactions").
held=
hold_transaction() {
	BPFLP_PAUSE=staged $bpflp apply $patches/bench-gate2@1.bpf.o >/dev/null 2>&1 &
	held=$!
	for ((i = 0; i < 300; i++)); do
		[[ $(awk '{print $3}' /proc/$held/stat 2>/dev/null) == T ]] && return 0
		sleep 0.1
	done
	echo "bench: the held transaction did not stop at 'staged'" >&2
	exit 1
}
release_transaction() {
	[[ -n $held ]] || return 0
	kill -CONT "$held"
	wait "$held" || true
	held=
}

cleanup() {
	release_transaction
	for p in bench-gate1 bench-gate2 bench-observe bench-replace1 bench-replace2; do $bpflp disable $p >/dev/null 2>&1 || true; done
	rm -rf /sys/fs/bpf/bpflp
}
trap cleanup EXIT
cleanup

configs=(plain raw-fentry raw-fmod_ret raw-word raw-word-count-array raw-word-count-hash raw-word-count-array+2 raw-dispatch stub-dispatch stub-bpflp
	 bpflp-fentry bpflp-fmod_ret bpflp-fmod_ret-nostats bpflp-fmod_ret-in-txn bpflp-fmod_ret-stacked
	 bpflp-replace-fmod_ret bpflp-replace-companion)
# BENCH_CONFIGS="plain raw-fmod_ret ...": only these (plain and raw-fmod_ret, the
# references every ratio needs, are always measured).
if [[ -n ${BENCH_CONFIGS:-} ]]; then
	configs=(plain raw-fmod_ret)
	for c in $BENCH_CONFIGS; do [[ $c == plain || $c == raw-fmod_ret ]] || configs+=("$c"); done
fi
out=${BPFLP_VM_SHARE:-$root/build/vm-share}/bench	# as scale.sh: the guest's writable share
mkdir -p "$out"

# Put the patches of one configuration in place; print the bench_getsid mode.
setup() {
	case $1 in
	bpflp-fentry) $bpflp apply $patches/bench-observe@1.bpf.o >/dev/null ;;
	bpflp-fmod_ret) $bpflp apply $patches/bench-gate1@1.bpf.o >/dev/null ;;
	bpflp-fmod_ret-nostats) $bpflp apply $patches/bench-gate1@1.bpf.o >/dev/null; $bpflp stats off >/dev/null ;;
	bpflp-fmod_ret-in-txn) $bpflp apply $patches/bench-gate1@1.bpf.o >/dev/null; hold_transaction ;;
	bpflp-fmod_ret-stacked)
		$bpflp apply $patches/bench-gate1@1.bpf.o >/dev/null
		$bpflp apply --stack $patches/bench-gate2@1.bpf.o >/dev/null ;;
	bpflp-replace-fmod_ret) $bpflp apply $patches/bench-replace1@1.bpf.o >/dev/null ;;
	bpflp-replace-companion)
		BPFLP_ROUTE=companion $bpflp apply $patches/bench-replace1@1.bpf.o >/dev/null ;;
	esac
}
mode_of() { case $1 in raw-* | stub-*) echo "$1" ;; *) echo plain ;; esac; }

# Rounds interleave the configurations, so drift hits them all alike.
declare -A samples
for ((r = 0; r < rounds; r++)); do
	for c in "${configs[@]}"; do
		setup "$c"
		samples[$c]+="$($bench "$(mode_of "$c")" "$calls" | awk '{print $2}') "
		release_transaction
		cleanup
	done
done
declare -A ns
for c in "${configs[@]}"; do
	# The fastest sample: other load on the host only ever adds time.
	ns[$c]=$(tr ' ' '\n' <<< "${samples[$c]}" | grep . | sort -n | head -n1)
done

printf 'Per call: getsid(pid) -> security_task_getsid(), %d calls, fastest of %d interleaved runs\n' "$calls" "$rounds"
printf '  %-24s %10s %10s %12s %12s\n' "configuration" "ns/call" "x plain" "+ns vs plain" "x raw fmod_ret"
echo "configuration,ns_per_call,x_plain,x_raw_fmod_ret" > "$out/percall.csv"
for k in "${configs[@]}"; do
	awk -v k="$k" -v v="${ns[$k]}" -v p="${ns[plain]}" -v r="${ns[raw-fmod_ret]}" -v csv="$out/percall.csv" \
		'BEGIN { printf "  %-24s %10.1f %10.2f %12.1f %12.2f\n", k, v, v / p, v - p, v / r
			 printf "%s,%.1f,%.3f,%.3f\n", k, v, v / p, v / r >> csv }'
done

# Figures that do not depend on the emulator's speed: what each program is
# (instructions after the verifier's rewrites, JIT'd bytes, helper calls in
# its code), and the kernel's own run-time accounting of the programs alone
# (BPF_ENABLE_STATS), per configuration, in one more pass.
echo
echo "Per program, per configuration (kernel BPF statistics over $calls calls; static size and helpers of the program):"
printf '  %-24s %-28s %8s %8s %7s %7s  %s\n' configuration program ns/run runs/call xlated jited helpers
echo "configuration,program,ns_per_run,runs_per_call,xlated_insns,jited_bytes,helpers" > "$out/programs.csv"
for c in "${configs[@]}"; do
	[[ $c == plain ]] && continue
	setup "$c"
	# (A file: the guest has no /dev/fd for process substitution.)
	BENCH_PROG_STATS=1 $bench "$(mode_of "$c")" "$calls" | grep '^prog ' > "$out/prog-stats.txt" || true
	while read -r _ name _ runs _ nsrun _ xl _ jb _ helpers; do
		awk -v c="$c" -v n="$name" -v ns="$nsrun" -v r="$runs" -v k="$calls" -v x="$xl" -v j="$jb" -v h="$helpers" -v csv="$out/programs.csv" \
			'BEGIN { printf "  %-24s %-28s %8.1f %8.2f %7d %7d  %d\n", c, n, ns, r / k, x, j, h
				 printf "%s,%s,%.1f,%.3f,%d,%d,%d\n", c, n, ns, r / k, x, j, h >> csv }'
	done < "$out/prog-stats.txt"
	release_transaction
	cleanup
done
awk -v g="${ns[bpflp-fmod_ret]:-0}" -v t="${ns[bpflp-fmod_ret-in-txn]:-0}" -v r="${ns[raw-fmod_ret]}" -v p="${ns[plain]}" \
	'BEGIN { if (r > p && g && t) printf "  bpflp fmod_ret adds %.2fx what a raw fmod_ret adds between transactions, %.2fx during one\n", (g - p) / (r - p), (t - p) / (r - p) }'
awk -v c="${ns[bpflp-replace-companion]:-0}" -v f="${ns[bpflp-replace-fmod_ret]:-0}" -v p="${ns[plain]}" \
	'BEGIN { if (f > p && c) printf "  the companion route adds %.2fx what the fmod_ret route adds (same body, same function)\n", (c - p) / (f - p) }'

# Transactions: wall time of the CLI, which includes load and verification.
# ROUTE= forces the companion route (its first apply loads the module, its
# disable unloads it).
ms() { date +%s%N; }
transactions() {
	local label=$1 name=$2 t0 t1 t2 t3
	t0=$(ms)
	$bpflp apply $patches/${name}1@1.bpf.o >/dev/null
	t1=$(ms)
	for ((i = 0; i < cycles; i++)); do
		$bpflp apply $patches/${name}$((i % 2 ? 1 : 2))@1.bpf.o >/dev/null
	done
	t2=$(ms)
	$bpflp disable ${name}$((cycles % 2 ? 2 : 1)) >/dev/null
	t3=$(ms)
	awk -v l="$label" -v a=$((t1 - t0)) -v r=$(((t2 - t1) / cycles)) -v d=$((t3 - t2)) \
		'BEGIN { printf "  %-22s first apply %7.1f ms, replace %7.1f ms (mean), disable %7.1f ms\n", l, a / 1e6, r / 1e6, d / 1e6 }'
}
printf 'Per transaction (bpflp CLI wall time, %d replaces)\n' "$cycles"
transactions "fmod_ret" bench-gate
transactions "replace on fmod_ret" bench-replace
BPFLP_ROUTE=companion transactions "replace on companion" bench-replace

# The design probe of a replace that rebuilds no trampoline (issue 22;
# selftests/helpers/tail_dispatch.c): switching security_file_open's
# implementation by writing a program-array entry, against what a switch
# by links costs on that function (an fmod_ret link attached and destroyed:
# two trampoline rebuilds).
probe=$(mktemp /tmp/bpflp-bench-dispatch.XXXXXX)
if dispatch=$(build/selftests/helpers/tail_dispatch "$probe" "${BENCH_SWITCHES:-50}"); then
	array_us=$(sed -n 's/^array_update_us=//p' <<< "$dispatch")
	link_us=$(sed -n 's/^link_swap_us=//p' <<< "$dispatch")
	echo "array_update_us,link_swap_us" > "$out/dispatch.csv"
	echo "$array_us,$link_us" >> "$out/dispatch.csv"
	awk -v a="$array_us" -v l="$link_us" 'BEGIN { printf "Per switch of one function (design probe): array write %.1f us, link attach+detach %.1f us (%.0fx)\n", a, l, l / a }'
else
	echo "Per switch of one function (design probe): not measured, tail_dispatch failed (see above)"
fi
rm -f "$probe"
echo "(TCG-emulated CPU: compare ratios within this run, not absolute times)"
