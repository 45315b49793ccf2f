#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Nothing the project ships or runs names one kernel build: Debian moves
# ABIs (e.g. 6.1.0-56 became -57), so a release written into a test, a
# script or a doc goes stale and turns a test into a skip. Releases are
# derived from the running kernel (uname -r in the VM) or
# build/kernel-SERIES/abi.
# docs/benchmarks.md is exempt: it records the kernel each run was made on.
# Also checks that make deps recorded both kernels with their headers.
# Prints cmocka's summary lines, which selftests/vm/check.sh counts.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
. "$root/selftests/counts.bash"

echo "[==========] kernel-neutral tests"
# A Debian kernel release or ABI (e.g. 6.1.0-57, 6.12.118+deb12). A line
# giving one as an example says so ("e.g.").
pinned=$(git grep -nIE '\b[0-9]+\.[0-9]+\.[0-9]+(-[0-9]+|\+deb[0-9]+)' -- \
	':!docs/benchmarks.md' ':!debian/changelog' |
	grep -v 'e\.g\.' || true)
if [[ -z $pinned ]]; then ok "no kernel release written into the tree"; else not_ok "kernel releases written into the tree" "$pinned"; fi

for series in 6.1 6.12; do
	k=build/kernel-$series
	if [[ -s $k/abi && $(cat "$k/abi") == "$series".* && -f $(cat "$k/kdir" 2>/dev/null)/Makefile ]]; then
		ok "build/kernel-$series: ABI $(cat "$k/abi") with its headers"
	else
		not_ok "build/kernel-$series" "missing or incomplete: run 'make deps'"
	fi
done

counts_exit
