#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Design probe: with two fmod_ret programs on one function, the trampoline runs
# the NEWEST attached first, and one returning non-zero skips the older ones
# (and the original function). Observed on Debian 6.1: attach a (EPERM) then
# b (EACCES) and open() fails with EACCES; the other order gives EPERM.
. "$(dirname "$0")/../../lib.sh"
require_root

bin=$(build_path selftests/helpers/fmodret_order)
target=$(mktemp /tmp/bpflp-order.XXXXXX)
on_exit "rm -f '$target'"

EPERM=1 EACCES=13
check_order() {	# FIRST-ATTACHED WANT-BOTH WANT-OLDEST WHO-RUNS-FIRST
	local out
	out=$("$bin" "$target" "$1") || exit $?
	assert_eq "$(sed -n 's/^both: //p' <<< "$out")" "errno=$2" "open() with $1 attached first, then the other"
	assert_eq "$(sed -n 's/^first=//p' <<< "$out")" "$4" "program run first"
	assert_eq "$(sed -n 's/^oldest: //p' <<< "$out")" "errno=$3" "open() after detaching the newest"
	assert_eq "$(sed -n 's/^none: //p' <<< "$out")" "ok" "open() after detaching both"
	# one run each: the older program did not run while the newer one denied
	assert_eq "$(grep '^runs_' <<< "$out")" "runs_a=1 runs_b=1" "program runs"
}
check_order a "$EACCES" "$EPERM" b
check_order b "$EPERM" "$EACCES" a
