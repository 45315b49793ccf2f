#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The C sources are as the repository's .clang-format lays them out, so a
# contributor who runs clang-format changes only what they wrote: every C
# file git tracks (but the generated vmlinux.h), one check each, through
# Debian's clang-format 14 (make deps installs it). The first lines
# clang-format would change are shown for a file that fails.
# Prints cmocka's summary lines, which selftests/vm/check.sh counts.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
passed=0 failed=0
echo "[==========] format tests"
if ! command -v clang-format > /dev/null || ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	echo "[  FAILED  ] clang-format and a git checkout are needed (make deps installs clang-format)"
	echo "[  FAILED  ] 1 test(s)."
	exit 1
fi
while IFS= read -r f; do
	if out=$(clang-format --dry-run --Werror "$f" 2>&1); then
		passed=$((passed + 1))
	else
		echo "[  FAILED  ] $f is not as .clang-format lays it out (clang-format -i $f):"
		head -n 6 <<< "$out" | sed 's/^/  | /'
		failed=$((failed + 1))
	fi
done < <(git ls-files '*.c' '*.h' | grep -v '^vmlinux\.h$')
echo "[==========] $((passed + failed)) test(s) run."
echo "[  PASSED  ] $passed test(s)."
((failed == 0)) || { echo "[  FAILED  ] $failed test(s)."; exit 1; }
