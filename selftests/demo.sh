#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bpflp demo, run inside the test VM by `make demo`: a cumulative patch
# series on the live kernel, shown with bpflp's own output and with what a
# user's syscalls see at each step.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bpflp=build/bpflp
probe=build/selftests/helpers/demo_probe
v1=build/examples/cve-fixes-v1.bpf.o
v2=build/examples/cve-fixes-v2.bpf.o
v3=build/examples/cve-fixes-v3.bpf.o
v4=build/examples/cve-fixes-v4.bpf.o
# A source-level fix v2 carries: /proc/version without the build host.
klp=build/kmod/$(uname -r)/bpflp_klp_v2.ko

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

as_adm() { setpriv --reuid=65534 --regid=4 --clear-groups "$@"; }

# What a user sees: AF_ALG as root and as nobody, perf_event_open, /proc/cmdline.
outcomes() {
	printf '   AF_ALG socket as root:   %s\n' "$($probe alg)"
	printf '   AF_ALG socket as nobody: %s\n' "$(as_nobody $probe alg)"
	printf '   perf_event_open:         %s\n' "$($probe perf)"
	printf '   /proc/cmdline as nobody: %s\n' "$(as_nobody $probe cmdline)"
	printf '   /proc/cmdline as adm:    %s\n' "$(as_adm $probe cmdline)"
	printf '   /proc/version:           %s\n' "$(cat /proc/version)"
	local lps
	lps=$(ls /sys/kernel/livepatch 2>/dev/null | tr '\n' ' ' | sed 's/ $//')
	printf '   livepatch modules:       %s\n' "${lps:-none}"
}

# Functions bpflp hooks: a trampoline (fmod_ret/fentry), or an ftrace
# handler that moves the instruction pointer: the companion module's
# (replacing what no LSM hook guards) or a livepatch module's.
trampolines() {
	local tramp comp
	tramp=$(awk '/^[a-z_]/ && / D/ {print $1}' /sys/kernel/tracing/enabled_functions | sort | tr '\n' ' ' | sed 's/ $//')
	comp=$(awk '/^[a-z_]/ && / I/ {print $1}' /sys/kernel/tracing/enabled_functions | sort | tr '\n' ' ' | sed 's/ $//')
	printf '   functions with a trampoline: %s\n' "${tramp:-none}"
	printf '   replaced by the companion module or a livepatch: %s (companion module %s)\n' "${comp:-none}" \
		"$([[ -e /sys/module/bpflp_companion ]] && echo loaded || echo not loaded)"
}

paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
cleanup() {
	$bpflp disable cve-fixes >/dev/null 2>&1 || true
	rm -rf /sys/fs/bpf/bpflp
	echo "$paranoid" > /proc/sys/kernel/perf_event_paranoid
}
trap cleanup EXIT

# AF_ALG lives in a module; the guest cannot autoload it from its initramfs root.
modprobe -q af_alg 2>/dev/null || true

echo "bpflp demo on $(uname -r): cumulative live patches made of BPF programs"

step "0. The unpatched kernel, and how bpflp can patch each function"
outcomes
trampolines
run $bpflp probe security_socket_create security_perf_event_open cmdline_proc_show

step "1. cve-fixes v1 mitigates three vulnerabilities (AF_ALG, perf_event_open, /proc/cmdline)"
run $bpflp check $v1
run $bpflp apply $v1
run $bpflp list
outcomes
trampolines

step "2. cve-fixes v2, cumulative: narrows the AF_ALG and /proc/cmdline fixes, drops the perf fix, adds an observer, and carries a livepatch module (/proc/version without the build host: a fix no return value can express)"
run $bpflp check $v2 --module $klp
run $bpflp apply $v2 --module $klp
run $bpflp list
outcomes
trampolines
true; /bin/true; /bin/true	# three execs for the observer to count
run $bpflp show cve-fixes
echo "   (security_perf_event_open lost its trampoline: v2 no longer patches it)"
run cat /dev/bpflp_companion
echo "   (the companion module runs v2's program on cmdline_proc_show: PROG_ID DROP_ID FUNCTION CALLS OVERRIDES MISSES)"

step "3. Downgrade: re-applying v1 replaces v2 in one step, its livepatch module disabled and removed in the same transaction"
run $bpflp apply $v1
run $bpflp list
outcomes
trampolines

step "4. Applying the active patch again changes nothing"
run $bpflp apply $v1

step "5. Disable: the kernel is back to its original code"
run $bpflp disable cve-fixes
run $bpflp -p list
outcomes
trampolines
printf '   BPF links left: %s\n' "$(bpftool -j link list | jq length)"
printf '   companion module: %s\n' "$([[ -e /sys/module/bpflp_companion ]] && echo loaded || echo unloaded)"

step "6. A fix that needs state: cve-fixes v3 limits each unprivileged task to 64 perf_event_open() calls, counted in a shadow variable"
echo 2 > /proc/sys/kernel/perf_event_paranoid	# let nobody open its own events at all
run $bpflp apply $v3
coproc BURSTS { as_nobody $probe perf-bursts 40; }
burst() { echo >&"${BURSTS[1]}"; read -r line <&"${BURSTS[0]}"; printf '   %s: %s\n' "$1" "$line"; }
burst "one task, 40 calls under v3"
burst "the same task, 40 more under v3"
step "7. cve-fixes v4 raises the limit to 1024 and inherits every task's count"
run $bpflp apply $v4
run $bpflp show cve-fixes
burst "the same task, 40 more under v4 (its count goes on from 80)"
printf '   counts in the shadow: %s\n' \
	"$(bpftool -j map dump pinned /sys/fs/bpf/bpflp/shadow/perf_rl | jq -c '[.[].formatted.value.opens]')"
eval "exec ${BURSTS[1]}>&-"
wait "$BURSTS_PID" 2>/dev/null || true
run $bpflp disable cve-fixes
printf '   shadows left: %s\n' "$(ls /sys/fs/bpf/bpflp/shadow 2>/dev/null | wc -l)"
