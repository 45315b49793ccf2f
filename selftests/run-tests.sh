#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run the in-VM tests: run-tests.sh [-t SECONDS] [-q QUEUE] [PATTERN]
#
# Tests are selftests/tests/AREA/NN_NAME.sh, run with bash (an area's other
# files are its lib, tools and patches; NN is used once across areas), and,
# as a hook for tests written in C, executables build/selftests/helpers/test_*
# (built from selftests/helpers/test_*.c); all run in name order, each in its
# own process with a timeout (default 180 s). PATTERN (an extended regex, so
# "a|b" runs both) keeps tests whose name contains it. Exit status: 0 pass,
# 77 skip (the test's last stderr line is the reason), anything else fail.
# Prints one line per test and a summary "N passed, N failed, N skipped";
# exits 1 if any test failed.
#
# -q QUEUE shares the tests among several runners (several VMs, see
# selftests/vm/check.sh): each runner takes the next test nobody has taken
# by creating QUEUE/NAME (mkdir is atomic on the host that QUEUE, a
# directory under build/vm-share, lives on). They then go longest first, by
# the seconds selftests/test-seconds gives (30 for a test it does not
# list), so the last test to finish is a short one.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
timeout=180
queue=
while getopts ":t:q:" opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	q) queue=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-q QUEUE] [PATTERN]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
pattern=${1:-}
cd "$root" || exit 2

declare -A cmd_of=()
for t in selftests/tests/*/[0-9][0-9]_*.sh; do
	[[ -f $t ]] && cmd_of[$(basename "$t" .sh)]="bash $t"
done
for t in build/selftests/helpers/test_*; do
	[[ -x $t ]] && cmd_of[$(basename "$t")]=$t
done

# in_order: the test names, in name order, or longest first for a queue.
in_order() {
	if [[ -z $queue ]]; then
		printf '%s\n' "${!cmd_of[@]}" | LC_ALL=C sort
		return
	fi
	local name
	for name in "${!cmd_of[@]}"; do
		echo "$(awk -v n="$name" '$1 == n { print $2; f = 1 } END { if (!f) print 30 }' \
			selftests/test-seconds 2>/dev/null || echo 30) $name"
	done | LC_ALL=C sort -k1,1nr -k2 | cut -d' ' -f2
}

# excluded_why NAME: why NAME does not apply to this kernel's series
# (selftests/kernel-exclusions), or nothing.
series=$(uname -r | cut -d. -f1,2)
excluded_why() {
	awk -v n="$1" -v k="$series" '$1 == n && $2 == k { $1 = $2 = ""; sub(/^ +/, ""); print }' \
		selftests/kernel-exclusions 2>/dev/null
}

[[ -z $queue ]] || mkdir -p "$queue" || exit 2
passed=0 failed=0 skipped=0
log=$(mktemp)
# bpflp's state directory (the installed patch, the history of
# transactions): the VM's / is the host's, read-only, so the tests get one
# on tmpfs unless they were given one (the reboot test's, which persists).
state=
if [[ -z ${BPFLP_STATE_DIR:-} ]]; then
	state=$(mktemp -d /tmp/bpflp-state.XXXXXX) || exit 2
	export BPFLP_STATE_DIR=$state
fi
trap 'rm -f "$log"; [[ -z $state ]] || rm -rf "$state"' EXIT
for name in $(in_order); do
	[[ -n $pattern && ! $name =~ $pattern ]] && continue
	[[ -n $queue ]] && ! mkdir "$queue/$name" 2>/dev/null && continue	# another runner has it
	why=$(excluded_why "$name")
	if [[ -n $why ]]; then
		echo "EXCLUDED $name on $series: $why"
		continue
	fi
	start=$SECONDS
	# shellcheck disable=SC2086 # the command is "bash FILE" or "FILE"
	timeout -k 5 "$timeout" ${cmd_of[$name]} > "$log" 2>&1 < /dev/null
	rc=$?
	took=$((SECONDS - start))
	case $rc in
	0)
		echo "PASS $name (${took}s)"
		# The reliability figures are results too: show them on success.
		grep -E '(faults injected|calls checked|bad inputs tried):' "$log" | sed 's/^ */    /'
		passed=$((passed + 1)) ;;
	77)
		echo "SKIP $name: $(grep -v '^ *$' "$log" | tail -n1)"
		skipped=$((skipped + 1)) ;;
	*)
		if ((rc == 124)); then why="timed out after ${timeout}s"; else why="exit $rc"; fi
		echo "FAIL $name ($why)"
		sed 's/^/    | /' "$log"
		failed=$((failed + 1)) ;;
	esac
	[[ ${VERBOSE:-0} == 1 && $rc == 0 ]] && sed 's/^/    | /' "$log"
done

echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))
