#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench, scale part: bpflp and kernel livepatch side by side as the
# number of patched functions N grows, in the test VM, in one run.
#   - bpflp: apply (first), replace (v1 -> v2, no body changed), the k-of-N
#     replaces (k bodies changed, gen.py kseries), disable of a patch of N
#     functions of the generated target module bpflp_bench, split into
#     phases by the loader's BPFLP_TIMING lines; the commit against its
#     floor, one bare map-update syscall.
#   - bpflp-dispatch: the same with apply --dispatch (a stub per function,
#     unchanged programs kept).
#   - dispatch: the same patches switched as docs/design.md's "Next" designs
#     it (selftests/helpers/dispatch_scale): a probe, not bpflp's protocol.
#   - livepatch: insmod -> transition 0, replace v1 -> v2, disable -> gone
#     -> rmmod, for the same N functions.
#   - memory one patch holds (bpftool's accounting, trampoline pages) and the
#     livepatch module's size.
#   - per call, in the target module's kernel loop: plain, raw fmod_ret and
#     bpflp on vmlinux's security_ismaclabel(); plain, raw fmod_ret, bpflp
#     and livepatch on the module's security_bpflp_bench_0().
# Sources: selftests/tests/bench/build.sh (build/bench/, its manifest lists the N
# built). Output: tables on stdout; scale.csv, scale-mem.csv and
# percall.csv in $BPFLP_VM_SHARE/bench (the guest's only writable share).
# BENCH_SMOKE=1: N = 1 and 4, few calls, one round (make check's
# 70_bench_smoke.sh); timings are never judged here.
set -euo pipefail
# A failure inside $(...) (a helper's bpflp or insmod) stops the run too.
shopt -s inherit_errexit

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"
. selftests/tests/bench/scale_lib.bash
BPFLP=${BPFLP_BIN:-build/bpflp}
kloop=build/selftests/helpers/bench_kloop
floor=build/selftests/helpers/map_update_floor
dispatch=build/selftests/helpers/dispatch_scale
bench=build/bench
kmod=$bench/kmod/$(uname -r)	# build.sh builds per guest kernel
out=${BPFLP_VM_SHARE:-$root/build/vm-share}/bench
smoke=${BENCH_SMOKE:-0}
if ((smoke)); then
	calls=${BENCH_CALLS:-20000} rounds=${BENCH_ROUNDS:-1} sizes="1 4"
else
	calls=${BENCH_CALLS:-2000000} rounds=${BENCH_ROUNDS:-5} sizes=${BENCH_SIZES:-}
fi
[[ -s $kmod/manifest ]] || { echo "scale: no $kmod/manifest; run 'make bench-build'" >&2; exit 1; }
# wanted TOOL: the sizes built for TOOL, limited to $sizes when set.
wanted() {
	local n
	for n in $(awk -v t="$1" '$1 == t { print $2 }' $kmod/manifest); do
		[[ -z $sizes || " $sizes " == *" $n "* ]] && echo "$n"
	done
	return 0
}
mkdir -p "$out"
tmp=$(mktemp -d)

cleanup() {
	local m p
	for p in $("$BPFLP" -j list 2> /dev/null | jq -r '.patches[]? | select(.state == "active") | .name' 2> /dev/null); do
		[[ $p == scale-* || $p == bench-kloop ]] && "$BPFLP" disable "$p" > /dev/null 2>&1
	done
	for m in $(ls $KLP_SYS 2> /dev/null); do
		[[ $m == bpflp_bench_klp_* ]] || continue
		echo 0 > "$KLP_SYS/$m/enabled" 2> /dev/null || true
		klp_wait_gone "$m" || true
	done
	for m in $(awk '$1 ~ /^bpflp_bench_klp_/ { print $1 }' /proc/modules); do rmmod_when_free "$m" || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# bpflp holds a descriptor per program while it loads a patch, so 1000
# functions need more than the usual soft limit of 1024 descriptors: up to
# the hard limit, and say so (the loader does not raise it itself yet).
fd_limit=$(ulimit -n)
ulimit -n "$(ulimit -Hn)"
[[ $(ulimit -n) == "$fd_limit" ]] || echo "scale: descriptor limit raised from $fd_limit to $(ulimit -n) for bpflp"

# The target module, with the BTF build.sh added (BPF programs attach through it).
grep -q '^bpflp_bench ' /proc/modules || insmod $kmod/bpflp_bench.ko
module_btf=no
[[ -e /sys/kernel/btf/bpflp_bench ]] && module_btf=yes

echo "Machine: $(nproc) vCPUs, qemu TCG (no KVM), Linux $(uname -r); target module BTF: $module_btf"

# ---- the commit's floor ------------------------------------------------------
read -r floor_first floor_min floor_med floor_max <<< "$($floor $((smoke ? 20 : 200)))"

# ---- bpflp: apply, replace, disable per N ------------------------------------
echo "tool,n,op,total_ms,open_ms,load_ms,attach_ms,commit_us,detach_ms,release_ms" > $tmp/scale.csv
echo "tool,n,progs,prog_memlock,bytes_jited,bytes_xlated,maps,map_memlock,trampolines,tramp_bytes,module_coresize" > $tmp/mem.csv

# A first apply creates bpflp's shared state; keep it out of the first N's
# figures (not in a smoke run, where time is short and figures not judged).
if ((!smoke)); then
	base=$(trampolines)
	"$BPFLP" apply $bench/patches/scale-1-v1.bpf.o > /dev/null
	"$BPFLP" disable scale-1 > /dev/null
	wait_trampolines "$base" > /dev/null
fi

# Images an earlier test (or run) left are still being freed: let them go
# before counting, or N=1 would count fewer than its one image.
wait_trampolines 0 60 > /dev/null
# series TOOL [FLAGS]: apply, replace, the k-of-N replaces and disable of
# each N, by bpflp with its applies given FLAGS (tool "bpflp-dispatch":
# --dispatch, its fmod_ret programs run from a stub per function and the
# unchanged ones kept).
series() {
	local tool=$1 n base span t0 t1 applied active progs pmem jited xlated maps mmem release v ks k kept
	shift
	for n in $(wanted bpflp); do
		base=$(trampolines)
		span=$(timed_bpflp $tmp/ph apply "$@" $bench/patches/scale-$n-v1.bpf.o)
		read -r t0 t1 <<< "$span"
		echo "$tool,$n,apply,$(phase_split $tmp/ph "$t0" "$t1" | tr ' ' ',')," >> $tmp/scale.csv
		# Each link added rebuilds the function's trampoline; the old images go
		# after an RCU-tasks grace period. Count once they are gone (one per function).
		wait_trampolines $((base + n)) > /dev/null
		applied=$(trampolines)
		active=$("$BPFLP" -j show "scale-$n" | jq -r '[.state, ([.functions[] | select(.attached)] | length)] | @tsv')
		[[ $active == "active	$n" ]] || { echo "scale: scale-$n after apply: state/attached = $active" >&2; exit 1; }
		read -r progs pmem jited xlated maps mmem <<< "$(patch_memory)"
		echo "$tool,$n,$progs,$pmem,$jited,$xlated,$maps,$mmem,$((applied - base)),$(((applied - base) * 4096))," >> $tmp/mem.csv

		kept=0
		(($#)) && kept=$n
		span=$(timed_bpflp $tmp/ph -j apply "$@" $bench/patches/scale-$n-v2.bpf.o)
		read -r t0 t1 <<< "$span"
		decided $tmp/ph.out "$n" 0 "$kept"
		release=$(wait_trampolines "$applied")
		echo "$tool,$n,replace,$(phase_split $tmp/ph "$t0" "$t1" | tr ' ' ','),$release" >> $tmp/scale.csv

		# The k-of-N series: each replace changes the bodies of k functions of
		# the version before (gen.py kseries), as a cumulative patch n+1 is
		# patch n with k fixes; the replace above changed none. Livepatch
		# re-patches every function of a cumulative replace whatever changed:
		# its replace row is the one to hold these against. bpflp's own decision
		# (apply -j's programs, from fingerprints) must be gen.py's k.
		v=2
		ks=$(python3 selftests/tests/bench/gen.py kseries "$n")	# not in the for: errexit would miss a failure
		for k in $ks; do
			v=$((v + 1))
			span=$(timed_bpflp $tmp/ph -j apply "$@" $bench/patches/scale-$n-v$v.bpf.o)
			read -r t0 t1 <<< "$span"
			(($#)) && kept=$((n - k))
			decided $tmp/ph.out "$n" "$k" "$kept"
			release=$(wait_trampolines "$applied")
			echo "$tool,$n,replace_k$k,$(phase_split $tmp/ph "$t0" "$t1" | tr ' ' ','),$release" >> $tmp/scale.csv
		done
		"$BPFLP" -j show "scale-$n" | jq -e --argjson v $v '.version == $v and .state == "active"' > /dev/null ||
			{ echo "scale: scale-$n is not active at version $v after the k-of-N series" >&2; exit 1; }

		span=$(timed_bpflp $tmp/ph disable "scale-$n")
		read -r t0 t1 <<< "$span"
		release=$(wait_trampolines "$base")
		echo "$tool,$n,disable,$(phase_split $tmp/ph "$t0" "$t1" | tr ' ' ','),$release" >> $tmp/scale.csv
	done
}
series bpflp
series bpflp-dispatch --dispatch

# ---- the next protocol's probe: the same patches switched by array writes --------
# selftests/helpers/dispatch_scale (docs/design.md, "Next"): stubs attached
# once, each version loaded by bpflp's code, only its changed bodies, and
# switched by program-array writes and one generation. It checks that each
# switch took effect on the functions it calls, and fails the run if not.
for n in $(wanted bpflp); do
	ks=$(python3 selftests/tests/bench/gen.py kseries "$n")
	base=$(trampolines)
	# shellcheck disable=SC2086 # one argument per k
	$dispatch "$n" $bench/patches/scale-$n $ks >> $tmp/scale.csv
	wait_trampolines "$base" > /dev/null
done

# ---- livepatch: the same three steps per N ------------------------------------
for n in $(wanted klp); do
	v1=bpflp_bench_klp_${n}_v1 v2=bpflp_bench_klp_${n}_v2
	t0=$(now)
	insmod $kmod/$v1.ko
	klp_wait_transition $v1
	t1=$(now)
	echo "livepatch,$n,apply,$(ms_between "$t0" "$t1"),,,,,," >> $tmp/scale.csv
	[[ $(< $KLP_SYS/$v1/enabled) == 1 ]] || { echo "scale: $v1 not enabled" >&2; exit 1; }
	echo "livepatch,$n,,,,,,,,,$(< /sys/module/$v1/coresize)" >> $tmp/mem.csv

	# Replace: until v2's transition ends; release: until v1 is out of the kernel.
	t0=$(now)
	insmod $kmod/$v2.ko
	klp_wait_transition $v2
	t1=$(now)
	klp_wait_gone $v1
	rmmod_when_free $v1
	echo "livepatch,$n,replace,$(ms_between "$t0" "$t1"),,,,,,$(ms_between "$t1" "$(now)")" >> $tmp/scale.csv

	t0=$(now)
	echo 0 > $KLP_SYS/$v2/enabled
	klp_wait_gone $v2
	t1=$(now)
	rmmod_when_free $v2
	echo "livepatch,$n,disable,$(ms_between "$t0" "$t1"),,,,,,$(ms_between "$t1" "$(now)")" >> $tmp/scale.csv
done

# ---- per call, in the kernel loop ---------------------------------------------
# lsm-control is lsm-plain again: how far two identical configurations drift apart in one run.
# lsm-raw_count counts its calls as bpflp does with its counters on; lsm-bpflp_nostats is
# lsm-bpflp after 'bpflp stats off'; lsm-bpflp_dispatch is lsm-bpflp applied
# with --dispatch (its stub tail-calls the patch's program).
configs=(lsm-plain lsm-control lsm-raw_fmod_ret lsm-raw_count lsm-bpflp lsm-bpflp_nostats
	 lsm-bpflp_dispatch fn0-plain fn0-raw_fmod_ret fn0-bpflp fn0-livepatch)
# run_config CONFIG: put its patch in place, time the loop, take the patch away.
run_config() {
	local target=${1%%-*} how=${1#*-} mode=plain ns patch=bench-kloop obj=build/selftests/tests/bench/bench-kloop@1.bpf.o counted
	# On the module's function: the N = 1 scale patch, which patches just it.
	[[ $target == fn0 ]] && patch=scale-1 obj=$bench/patches/scale-1-v1.bpf.o
	case $how in
	bpflp) "$BPFLP" apply "$obj" > /dev/null ;;
	bpflp_dispatch) "$BPFLP" apply --dispatch "$obj" > /dev/null ;;
	bpflp_nostats) "$BPFLP" apply "$obj" > /dev/null && "$BPFLP" stats off > /dev/null ;;
	livepatch) insmod $kmod/bpflp_bench_klp_1_v1.ko && klp_wait_transition bpflp_bench_klp_1_v1 ;;
	raw_fmod_ret) mode=raw-fmod_ret ;;
	raw_count) mode=raw-count-fmod_ret ;;
	esac
	ns=$($kloop $mode "$target" "$calls")
	case $how in
	bpflp | bpflp_dispatch)
		# The patch really ran: its counter saw every call (and the warm-up).
		counted=$("$BPFLP" -j show $patch | jq '[.functions[].calls] | add')
		((counted >= calls)) || { echo "scale: $patch counted $counted calls of $calls" >&2; return 1; }
		"$BPFLP" disable $patch > /dev/null ;;
	bpflp_nostats)
		# Counting nothing: the patch is checked active and attached instead.
		"$BPFLP" -j show $patch | jq -e '.state == "active" and .stats == "off" and all(.functions[]; .attached)' > /dev/null ||
			{ echo "scale: $patch is not active with its counters off" >&2; return 1; }
		"$BPFLP" stats on > /dev/null
		"$BPFLP" disable $patch > /dev/null ;;
	livepatch)
		echo 0 > $KLP_SYS/bpflp_bench_klp_1_v1/enabled
		klp_wait_gone bpflp_bench_klp_1_v1
		rmmod_when_free bpflp_bench_klp_1_v1 ;;
	esac
	echo "$ns"
}
declare -A samples
for ((r = 0; r < rounds; r++)); do
	for c in "${configs[@]}"; do samples[$c]+="$(run_config "$c") "; done
done
echo "target,config,calls,rounds,min_ns,median_ns,max_ns" > $tmp/percall.csv
for c in "${configs[@]}"; do
	read -r lo med hi <<< "$(tr ' ' '\n' <<< "${samples[$c]}" | grep . | sort -g |
		awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)], v[NR] }')"
	echo "${c%%-*},${c#*-},$calls,$rounds,$lo,$med,$hi" >> $tmp/percall.csv
done

cp $tmp/scale.csv "$out/scale.csv"
cp $tmp/mem.csv "$out/scale-mem.csv"
cp $tmp/percall.csv "$out/percall.csv"
printf 'first_us,min_us,median_us,max_us\n%s,%s,%s,%s\n' "$floor_first" "$floor_min" "$floor_med" "$floor_max" > "$out/floor.csv"

# ---- tables --------------------------------------------------------------------
echo
echo "Scale: wall time per transaction (ms; commit in us), one run"
printf '  %-9s %5s %-13s %9s %8s %8s %8s %9s %8s %9s\n' tool N op total open load attach commit_us detach release
tail -n +2 $tmp/scale.csv | awk -F, '{ printf "  %-9s %5s %-13s %9s %8s %8s %8s %9s %8s %9s\n",
	$1, $2, $3, $4, $5 == "" ? "-" : $5, $6 == "" ? "-" : $6, $7 == "" ? "-" : $7,
	$8 == "" ? "-" : $8, $9 == "" ? "-" : $9, $10 == "" ? "-" : $10 }'
echo "  per function (bpflp, largest N): $(awk -F, '$1 == "bpflp" && $3 ~ /^(apply|replace|disable)$/ { last[$3] = $0 }
	END { for (op in last) { split(last[op], f, ","); printf "%s %.2f ms  ", op, f[4] / f[2] } }' $tmp/scale.csv)"
echo "  commit floor, one bare map update: first (cold) $floor_first us; then min/median/max $floor_min/$floor_med/$floor_max us"
echo "  bpflp commit / cold floor: $(awk -F, -v f="$floor_first" '$1 == "bpflp" && $8 != "" { printf "N=%s %s %.1fx  ", $2, $3, $8 / f }' $tmp/scale.csv)"
echo
echo "Memory one patch holds (bytes)"
printf '  %-9s %5s %6s %12s %10s %10s %5s %11s %6s %11s %10s\n' tool N progs prog_memlock jited xlated maps map_memlock tramps tramp_bytes coresize
tail -n +2 $tmp/mem.csv | awk -F, '{ printf "  %-9s %5s %6s %12s %10s %10s %5s %11s %6s %11s %10s\n",
	$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
echo
echo "Per call in the kernel loop: $calls calls, $rounds interleaved rounds (ns/call min/median/max)"
printf '  %-6s %-14s %8s %8s %8s %9s %9s\n' target config min median max "x plain" "x raw"
awk -F, 'NR > 1 { med[$1, $2] = $6; line[NR] = $0 }
	END { for (i = 2; i <= NR; i++) { split(line[i], f, ",")
		printf "  %-6s %-14s %8.2f %8.2f %8.2f %9.2f %9.2f\n", f[1], f[2], f[5], f[6], f[7],
			f[6] / med[f[1], "plain"], f[6] / med[f[1], "raw_fmod_ret"] } }' $tmp/percall.csv
# The run resolves bpflp's cost over a bare fmod_ret only if the control
# (the same configuration measured twice) differs by less than that cost.
awk -F, 'NR > 1 && $1 == "lsm" { med[$2] = $6 }
	END { c = med["control"] / med["plain"] - 1; e = med["bpflp"] / med["raw_fmod_ret"] - 1
	      printf "  control: plain vs plain %+.1f%%; bpflp vs raw fmod_ret %+.1f%%: %s\n", 100 * c, 100 * e,
		     (c < 0 ? -c : c) < (e < 0 ? -e : e) ? "resolved" : "NOT resolved (the control moved more than the effect: run again on a quieter host)" }' $tmp/percall.csv
awk -F, 'NR > 1 && $1 == "lsm" { med[$2] = $6 }
	END { printf "  lsm: bpflp %.2fx a bare fmod_ret that counts its calls; with its counters off (bpflp stats off) %.2fx an empty one; dispatched %.2fx a counting one\n",
		     med["bpflp"] / med["raw_count"], med["bpflp_nostats"] / med["raw_fmod_ret"],
		     med["bpflp_dispatch"] / med["raw_count"] }' $tmp/percall.csv
echo "(TCG-emulated CPU: compare ratios within this run, not absolute times; CSVs in $out)"
