#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# An fentry program on do_unlinkat() counts exactly the unlinks of the loader
# process (N of them), not the 3 a child process does meanwhile.
. "$(dirname "$0")/../../lib.sh"
require_root

bin=$(build_path selftests/helpers/fentry_count)
for n in 0 7; do
	out=$("$bin" "$n") || exit $?
	assert_eq "$out" "calls=$n" "fentry/do_unlinkat count for $n unlinks"
done
