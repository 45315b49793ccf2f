#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The C sources are as the repository's .clang-format lays them out, so a
# contributor who runs clang-format changes only what they wrote: every C
# file git tracks (but the generated vmlinux.h), one check each, through
# Debian's clang-format 14 (make deps installs it): one test, failed by any
# file; the first lines clang-format would change are shown for each.
# Prints cmocka's summary lines, which selftests/vm/check.sh counts.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
files=0 bad=0
echo "[==========] format tests"
if ! command -v clang-format > /dev/null || ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	echo "[  FAILED  ] clang-format and a git checkout are needed (make deps installs clang-format)"
	echo "[  FAILED  ] 1 test(s)."
	exit 1
fi
while IFS= read -r f; do
	files=$((files + 1))
	if ! out=$(clang-format --dry-run --Werror "$f" 2>&1); then
		echo "  $f is not as .clang-format lays it out (clang-format -i $f):"
		head -n 6 <<< "$out" | sed 's/^/  | /'
		bad=$((bad + 1))
	fi
done < <(git ls-files '*.c' '*.h' | grep -v '^vmlinux\.h$')
echo "[==========] 1 test(s) run."
if ((bad == 0)); then
	echo "[       OK ] all $files C sources are as .clang-format lays them out"
	echo "[  PASSED  ] 1 test(s)."
else
	echo "[  FAILED  ] $bad of $files C sources differ from .clang-format's layout"
	echo "[  PASSED  ] 0 test(s)."
	echo "[  FAILED  ] 1 test(s)."
	exit 1
fi
