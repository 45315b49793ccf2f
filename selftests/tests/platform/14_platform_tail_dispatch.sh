#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Design probe for a replace that rebuilds no trampoline (issue 22): an
# fmod_ret stub attached once tail-calls, through a per-function program
# array, the implementation a global word names. The kernel must run the
# entry the word names, nothing for an empty one, and refuse a program of
# another function with another prototype in the array (CVE-2024-50063's
# fix, in both test kernels; it compares prototypes, so one array per
# function would be the loader's rule). The probe also prints what one
# switch costs as an array write and as links (make bench reports them;
# this test asserts behaviour only).
. "$(dirname "$0")/../../lib.sh"
require_root

bin=$(build_path selftests/helpers/tail_dispatch)
target=$(mktemp /tmp/bpflp-dispatch.XXXXXX)
on_exit "rm -f '$target'"

out=$("$bin" "$target" 5) || exit $?
field() { sed -n "s/^$1: //p" <<< "$out"; }
assert_eq "$(field empty)" "ok" "open() with the stub alone (empty array)"
assert_eq "$(field index0)" "errno=1" "open() with the word on the EPERM implementation"
assert_eq "$(field index1)" "errno=13" "open() with the word on the EACCES implementation"
assert_eq "$(field index2)" "ok" "open() with the word on an empty entry"
assert_match "$(field other_hook)" "^refused errno=" "another function's program (another prototype) in the array"
# one run per open() of the target above: the stub ran, the implementation in its place
assert_eq "$(sed -n 's/^stub_runs=//p' <<< "$out")" "4" "stub runs"
grep -E '^(array_update|link_swap)_us=' <<< "$out"
