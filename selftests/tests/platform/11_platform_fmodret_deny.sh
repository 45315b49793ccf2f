#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An fmod_ret program on security_file_open() makes open() fail with the
# chosen errno for the loader process only; another process opens the file,
# and after the link is destroyed the loader does too.
. "$(dirname "$0")/../../lib.sh"
require_root

bin=$(build_path selftests/helpers/fmodret_deny)
target=$(mktemp /tmp/bpflp-deny.XXXXXX)
on_exit "rm -f '$target'"

for e in 1 122; do	# EPERM, and EDQUOT: an errno open() never returns here
	out=$("$bin" "$target" "$e") || exit $?
	assert_eq "$(sed -n 's/^self: //p' <<< "$out")" "errno=$e" "open() by the loader, errno $e"
	assert_eq "$(sed -n 's/^other: //p' <<< "$out")" "ok" "open() by another process"
	assert_eq "$(sed -n 's/^detached: //p' <<< "$out")" "ok" "open() after detach"
	assert_eq "$(sed -n 's/^denied=//p' <<< "$out")" "1" "denials counted in BPF"
done
