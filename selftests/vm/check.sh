#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`: host unit tests (build/selftests/unit/test_*, cmocka), host
# install tests (selftests/host/test_*.sh, cmocka-like output), then
# on each kernel of CHECK_KERNELS (default "6.1 6.12"),
# selftests/run-tests.sh in VM_SHARDS VMs side by side sharing one queue of
# tests (default 2 on a machine with 2 CPUs or more: TCG keeps one host CPU
# busy per VM), then selftests/vm/reboot-test.sh on that kernel
# (two boots; not with PATTERN); then, once, selftests/vm/rollout-test.sh
# (the Ansible rollout against two VMs). Prints the combined line
# "N passed, N failed, N skipped" last; fails on any failure, on any skipped
# in-VM test, and when no in-VM test ran.
#   check.sh [PATTERN]   only the in-VM tests whose name contains PATTERN
# UNIT_DIR picks other unit-test binaries; BPFLP_BIN (another bpflp, e.g. the
# sanitizer build of `make check-asan`), ASAN_OPTIONS and UBSAN_OPTIONS are
# passed into the VM.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
passed=0 failed=0 skipped=0

# count TEST: run one host test binary or script and add its counts.
count() {
	local t=$1 out rc p f s
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	# cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s), ..." / "[  SKIPPED ] N ..."
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -n1)
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -n1)
	if [[ -z $p$f ]]; then	# not cmocka output: count the binary
		if ((rc == 0)); then p=1; else f=1; fi
	elif ((rc != 0)) && [[ -z $f || $f == 0 ]]; then
		f=1	# crashed or failed outside a test
	fi
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${s:-0}))
}

echo "== host unit tests"
units=0
for t in "${UNIT_DIR:-build/selftests/unit}"/test_*; do
	[[ -x $t ]] || continue
	units=$((units + 1))
	count "$t"
done
((units == 0)) && echo "(no host unit tests built)"

# Host-side checks of what is shipped: make install (selftests/host/).
echo "== host install tests"
for t in selftests/host/test_*.sh; do
	[[ -x $t ]] && count "$t"
done

# The in-VM tests, on each kernel of CHECK_KERNELS (default both): they
# share one queue among VM_SHARDS VMs booted side by side (default: one per
# CPU, at most 2): each VM's TCG runs on one host thread. Then the reboot
# test on that kernel: two more VM boots sharing bpflp's state directory,
# only in a full run (a PATTERN picks in-VM tests).
shards=${VM_SHARDS:-$(($(nproc) > 1 ? 2 : 1))}
vm_env=()
for var in BPFLP_BIN ASAN_OPTIONS UBSAN_OPTIONS; do
	[[ -n ${!var:-} ]] && vm_env+=("$var=${!var}")
done
vmlog=$(mktemp -d)
trap 'rm -rf "$vmlog" build/vm-share/queue.$$.*' EXIT
vp=0 vf=0 vs=0 per_kernel=()

# run_kernel SERIES [PATTERN]: the in-VM tests on build/kernel-SERIES.
run_kernel() {
	local series=$1 queue=build/vm-share/queue.$$.$1 k kp=0 kf=0 ks=0 vmrc summary p f s
	export BPFLP_KERNEL=$series
	echo "== in-VM tests (Linux $(cat "build/kernel-$series/abi" 2>/dev/null)-amd64, qemu TCG, $shards VMs)"
	# Each VM's lines as they come, marked with it.
	for ((k = 1; k <= shards; k++)); do
		(
			BPFLP_VM_LAST=last-$series-vm$k selftests/vm/run-in-vm.sh -t "${CHECK_TIMEOUT:-3600}" \
				env "${vm_env[@]}" selftests/run-tests.sh -t "${TEST_TIMEOUT:-1800}" \
				-q "$root/$queue" ${2:+"$2"} 2>&1 | tee "$vmlog/$series.$k" |
				sed -u "s/^/$series vm$k: /"
			echo "${PIPESTATUS[0]}" > "$vmlog/$series.rc$k"
		) &
	done
	wait
	for ((k = 1; k <= shards; k++)); do
		vmrc=$(cat "$vmlog/$series.rc$k" 2>/dev/null || echo 125)
		summary=$(tr -d '\r' < "$vmlog/$series.$k" |
			  grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -n1)
		if [[ -z $summary ]]; then
			echo "check: $series VM $k printed no summary (exit $vmrc);" \
			     "guest log: build/vm-share/last-$series-vm$k/" >&2
			kf=$((kf + 1))
			continue
		fi
		read -r p _ f _ s _ <<< "$summary"
		kp=$((kp + p)) kf=$((kf + f)) ks=$((ks + s))
		((vmrc != 0 && f == 0)) && kf=$((kf + 1))	# VM or runner broke
	done
	echo "in-VM on $series: $kp passed, $kf failed, $ks skipped"
	per_kernel+=("$series: $kp passed, $kf failed, $ks skipped")
	vp=$((vp + kp)) vf=$((vf + kf)) vs=$((vs + ks))
	if [[ -z ${2:-} ]]; then
		echo "== reboot test on $series (two VM boots)"
		count selftests/vm/reboot-test.sh
	fi
}

for series in ${CHECK_KERNELS:-6.1 6.12}; do
	run_kernel "$series" ${1:+"$1"}
done
# The fleet rollout: ansible-playbook against two VMs over SSH, on the
# first kernel only (it tests the playbook, not the kernel); not with PATTERN.
if [[ -z ${1:-} ]]; then
	series=${CHECK_KERNELS:-6.1 6.12}
	series=${series%% *}
	echo "== fleet rollout on $series (ansible-playbook, two VMs over SSH)"
	export BPFLP_KERNEL=$series
	count selftests/vm/rollout-test.sh
fi
passed=$((passed + vp)) failed=$((failed + vf)) skipped=$((skipped + vs))

# What does not apply to one kernel is said, with why, never skipped silently.
echo "== kernel-specific exclusions (selftests/kernel-exclusions)"
if grep -qv '^\(#\|$\)' selftests/kernel-exclusions 2>/dev/null; then
	grep -v '^\(#\|$\)' selftests/kernel-exclusions | sed 's/^/  /'
else
	echo "  none: every in-VM test ran on every kernel"
fi
for line in "${per_kernel[@]}"; do echo "in-VM on $line"; done
# The failed tests' names last, so that the tail of a long log says which.
for f in "$vmlog"/*.[0-9]*; do
	[[ -f $f && $f != *.rc* ]] || continue
	tr -d '\r' < "$f" | sed -n "s/^FAIL \([^ ]*\).*/failed in-VM on ${f##*/}: \1/p" | sed 's/\.\([0-9]*\): / VM \1: /'
done

rc=0
((failed > 0)) && rc=1
((vs > 0)) && { echo "check: $vs in-VM test(s) skipped: every in-VM test must run" >&2; rc=1; }
((vp + vf == 0)) && { echo "check: no in-VM test ran" >&2; rc=1; }
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
