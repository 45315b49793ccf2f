# SPDX-License-Identifier: GPL-2.0
# cmocka's lines for the host-side test scripts (selftests/host/*.sh,
# selftests/vm/reboot-test.sh and rollout-test.sh), which
# selftests/vm/check.sh counts: ok, not_ok and expect tally one check
# each; counts_exit prints the totals and exits, 1 when a check failed.
passed=0 failed=0 skipped=0
ok() { echo "[       OK ] $1"; passed=$((passed + 1)); }
not_ok() { echo "[  FAILED  ] $1: $2"; failed=$((failed + 1)); }
# expect WHAT GOT WANT
expect() { if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1" "got '$2', want '$3'"; fi; }
counts_exit() {
	echo "[==========] $((passed + failed + skipped)) test(s) run."
	echo "[  PASSED  ] $passed test(s)."
	((skipped == 0)) || echo "[  SKIPPED ] $skipped test(s)."
	((failed == 0)) || { echo "[  FAILED  ] $failed test(s)."; exit 1; }
	exit 0
}
