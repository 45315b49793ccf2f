# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Measurement helpers of selftests/tests/bench/scale.sh: wall clock, the loader's
# phase lines, livepatch sysfs waits, and the kernel memory a patch holds.

STORE_PATCHES=/sys/fs/bpf/bpflp/patches
KLP_SYS=/sys/kernel/livepatch

# now: wall clock in seconds, to the microsecond (the loader's phase lines use the same clock).
now() { echo "$EPOCHREALTIME"; }

# now_ms: wall clock in milliseconds (the A/B scripts' unit).
now_ms() { date +%s%3N; }

# ab_ready OUT: bpffs mounted, the generated module bpflp_bench loaded,
# OUT made: where loader_ab.sh and swap_ab.sh start, in the project root.
ab_ready() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	grep -q '^bpflp_bench ' /proc/modules || insmod "build/bench/kmod/$(uname -r)/bpflp_bench.ko"
	mkdir -p "$1"
}

# ms_between T0 T1
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }

# timed_bpflp PHASES_FILE ARGS...: run bpflp with phase lines into PHASES_FILE
# and its output into PHASES_FILE.out; prints "T0 T1" (wall clock before and after).
timed_bpflp() {
	local phases=$1 t0 t1
	shift
	t0=$(now)
	BPFLP_TIMING=1 "$BPFLP" "$@" > "$phases.out" 2> "$phases" || {
		grep -v '^bpflp: phase' "$phases" >&2
		return 1
	}
	t1=$(now)
	echo "$t0 $t1"
}

# phase_split PHASES_FILE T0 T1: "total open load attach commit_us detach" in ms
# (commit in us), "" where the transaction has no such phase:
#   open    start to the lock: exec, ELF and BTF parsing, recovery checks
#   load    lock to begin: load and verification of the patch's programs
#   attach  staging to staged: snapshot programs (loaded and verified per
#           function) and every link
#   commit  commit to committed: the single write of the commit word
#   detach  post-callback to end: disarm and unpin what the commit retired
#           (the kernel frees the links afterwards: see release_ms)
phase_split() {
	awk -v t0="$2" -v t1="$3" '
	$1 == "bpflp:" && $2 == "phase" && !($3 in t) { t[$3] = $4 }
	function span(a, b, scale) { return (a in t && b in t) ? sprintf("%.1f", (t[b] - t[a]) * scale) : "" }
	END {
		open = ("locked" in t) ? sprintf("%.1f", (t["locked"] - t0) * 1000) : ""
		printf "%.1f %s %s %s %s %s\n", (t1 - t0) * 1000, open,
		       ("staging" in t) ? span("locked", "begin", 1000) : "",
		       span("staging", "staged", 1000), span("commit", "committed", 1e6),
		       span("post-callback", "end", 1000)
	}' "$1"
}

# trampolines: BPF trampoline images in the kernel (one kallsyms entry,
# "bpf_trampoline_<key>", one page, each); not the kernel's own functions
# named bpf_trampoline_* (12 on 6.1), which kept the count from ever
# reaching 0.
trampolines() { grep -cE ' bpf_trampoline_[0-9]+([[:space:]]|$)' /proc/kallsyms || true; }

# wait_trampolines MAX [TIMEOUT]: until at most MAX images are left (the
# kernel frees replaced ones after an RCU-tasks grace period), at most
# TIMEOUT seconds (120); prints the ms it took.
wait_trampolines() {
	local t0 n deadline
	t0=$(now)
	deadline=$((SECONDS + ${2:-120}))
	while n=$(trampolines); ((n > $1)); do
		((SECONDS < deadline)) || { echo "scale: $n trampolines left, want <= $1" >&2; break; }
		sleep 0.02
	done
	ms_between "$t0" "$(now)"
}

# patch_memory: "progs prog_memlock jited xlated maps map_memlock" of the
# programs pinned under the patches directory (the one active patch: its
# programs and bpflp's snapshot programs on its functions) and of the maps
# they use, less the maps bpflp shares between all patches.
patch_memory() {
	local progs ids
	progs=$(bpftool -j -f prog show | jq --arg d "$STORE_PATCHES/" \
		'[.[] | select(any(.pinned[]?; startswith($d)))]')
	ids=$(jq -c '[.[].map_ids[]?] | unique' <<< "$progs")
	{
		jq -r '[length, (map(.bytes_memlock) | add // 0), (map(.bytes_jited) | add // 0),
			(map(.bytes_xlated) | add // 0)] | @tsv' <<< "$progs"
		bpftool -j -f map show | jq -r --argjson ids "$ids" --arg d "$STORE_PATCHES/" '
			[.[] | select(.id as $i | $ids | index($i))
			     | select(all(.pinned[]?; startswith($d)))]
			| [length, (map(.bytes_memlock) | add // 0)] | @tsv'
	} | paste - - | tr '\t' ' '
}

# Livepatch steps of 1000 functions take minutes under TCG (a disable took 136 s).
KLP_TIMEOUT=${KLP_TIMEOUT:-900}

# klp_wait_transition MOD: until MOD's livepatch has finished its transition.
klp_wait_transition() {
	local f=$KLP_SYS/$1/transition deadline=$((SECONDS + KLP_TIMEOUT))
	until [[ -f $f && $(< "$f") == 0 ]]; do
		((SECONDS < deadline)) || { echo "scale: livepatch $1 still in transition after $KLP_TIMEOUT s" >&2; return 1; }
		sleep 0.01
	done
}

# klp_wait_gone MOD: until MOD's livepatch has left sysfs (disabled or replaced).
klp_wait_gone() {
	local deadline=$((SECONDS + KLP_TIMEOUT))
	while [[ -d $KLP_SYS/$1 ]]; do
		((SECONDS < deadline)) || { echo "scale: livepatch $1 still in sysfs after $KLP_TIMEOUT s" >&2; return 1; }
		sleep 0.01
	done
}

# rmmod_when_free MOD: rmmod, retried while the kernel still holds MOD.
rmmod_when_free() {
	local deadline=$((SECONDS + 60))
	until rmmod "$1" 2> /dev/null; do
		((SECONDS < deadline)) || { rmmod "$1"; return 1; }
		sleep 0.01
	done
}

# decided OUT N K [KEPT]: the apply -j output OUT says what gen.py built: K
# of the N programs changed (bpflp's fingerprints), the others unchanged,
# and KEPT (default 0; N - K with --dispatch) kept as they ran.
decided() {
	jq -e --argjson n "$2" --argjson k "$3" --argjson kept "${4:-0}" \
		'.programs == {"new": 0, "changed": $k, "unchanged": ($n - $k), "dropped": 0, "kept": $kept}' "$1" > /dev/null || {
		echo "scale: a replace of $2 functions, $3 bodies changed: bpflp decided $(jq -c .programs "$1")" >&2
		return 1
	}
}
