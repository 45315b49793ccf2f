#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Small transactions of several bpflp builds in one VM boot, interleaved
# round by round: t-v@1 (2 functions) applied, replaced by t-v@2 (1
# function, one shared) and disabled, quiet and then under 3 processes
# opening files in a loop (the patched security_file_open). Each DIR holds
# that build's bpflp and its own t-v@1.bpf.o and t-v@2.bpf.o (a build's
# objects carry its ABI); bpffs's tree is removed between builds, whose
# formats may differ. A DIR may hold apply-flags, flags its applies get
# (--dispatch: the same build both ways in one boot). Run in the VM:
#   selftests/vm/run-in-vm.sh selftests/tests/bench/small_ab.sh DIR...
# One line per round ("ROW MODE DIR ROUND APPLY REPLACE DISABLE", ms; a
# round where a transaction failed is printed as FAILED and not counted),
# then min-max (median) per build and mode.
set -euo pipefail
(($#)) || { echo "usage: small_ab.sh DIR... (each with bpflp, t-v@1.bpf.o, t-v@2.bpf.o)" >&2; exit 2; }
for d in "$@"; do
	for f in bpflp t-v@1.bpf.o t-v@2.bpf.o; do
		[[ -e $d/$f ]] || { echo "small_ab: $d has no $f" >&2; exit 2; }
	done
done
rounds=${AB_ROUNDS:-5}
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
now_ms() { date +%s%3N; }
rows=$(mktemp)
run() {
	local mode=$1 d t0 t1 t2 t3 failed flags
	for ((round = 1; round <= rounds; round++)); do
		for d in "${dirs[@]}"; do
			failed=
			read -ra flags <<< "$(cat "$d/apply-flags" 2> /dev/null || true)"
			t0=$(now_ms)
			"$d/bpflp" apply "${flags[@]}" "$d/t-v@1.bpf.o" > /dev/null 2>&1 || failed+=" apply"
			t1=$(now_ms)
			"$d/bpflp" apply "${flags[@]}" "$d/t-v@2.bpf.o" > /dev/null 2>&1 || failed+=" replace"
			t2=$(now_ms)
			"$d/bpflp" disable t-v > /dev/null 2>&1 || failed+=" disable"
			t3=$(now_ms)
			rm -rf /sys/fs/bpf/bpflp
			if [[ -n $failed ]]; then
				echo "FAILED $mode $d $round:$failed" >&2
				continue
			fi
			echo "ROW $mode $d $round $((t1 - t0)) $((t2 - t1)) $((t3 - t2))" | tee -a "$rows"
		done
	done
}
dirs=("$@")
busy=()
trap 'kill "${busy[@]}" 2> /dev/null; rm -f "$rows"' EXIT
run quiet
for _ in 1 2 3; do
	(while :; do cat /etc/hostname > /dev/null; done) &
	busy+=($!)
done
run busy
kill "${busy[@]}"
busy=()
echo "mode build: apply, replace, disable: min-max (median) ms"
awk '{ k = $2 " " $3; n[k]++; for (c = 0; c < 3; c++) v[k, c, n[k]] = $(5 + c) }
END {
	for (k in n) {
		line = k ":"
		for (c = 0; c < 3; c++) {
			m = n[k]
			for (i = 1; i <= m; i++) s[i] = v[k, c, i]
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
			med = m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
			line = line sprintf(" %d-%d (%d)", s[1], s[m], med)
		}
		print line
	}
}' "$rows" | sort
