#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The in-VM tests' tree keeps its conventions (README, "Layout"): every test
# is selftests/tests/AREA/NN_name.sh with NN used once; every test patch,
# selftests/tests/AREA/NAME@VERSION[.variant].bpf.c, defines the patch its
# file is named after (read from the built object's bpflp_patch, so the
# macros that wrap BPFLP_PATCH are seen through); and the tests named in
# test-seconds and kernel-exclusions exist. Prints cmocka's summary lines.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
# shellcheck source=selftests/counts.bash
source selftests/counts.bash
echo "[==========] selftests tree"

declare -A by_number=() names=()
for t in selftests/tests/*.sh selftests/tests/*/*.sh; do
	[[ -e $t ]] || continue
	name=$(basename "$t" .sh)
	[[ $name =~ ^[0-9]{2}_ ]] || continue
	if [[ $t != selftests/tests/*/* ]]; then
		not_ok "$t" "a test outside an area folder: move it into selftests/tests/AREA/"
		continue
	fi
	names[$name]=1
	number=${name:0:2}
	if [[ -n ${by_number[$number]:-} ]]; then
		not_ok "$t" "number $number is also ${by_number[$number]}'s: give one of them a free number"
	else
		by_number[$number]=$name
	fi
done
if ((${#names[@]} == 0)); then
	not_ok "selftests/tests" "no test found"
else
	ok "${#names[@]} tests in area folders, each number used once"
fi

# patch_identity OBJ: NAME@VERSION of the bpflp_patch in OBJ's .rodata.bpflp
# (include/bpflp/abi.h's struct bpflp_patch_info: magic, abi version,
# name[BPFLP_NAME_MAX + 1] = 33 bytes, 3 bytes of pad, version; little-endian).
patch_identity() {
	local offset rodata
	offset=$(llvm-objdump -t "$1" | awk '$NF == "bpflp_patch" { print $1 }')
	[[ -n $offset ]] || return 1
	rodata=$tmp/rodata
	llvm-objcopy --dump-section ".rodata.bpflp=$rodata" "$1" "$tmp/obj" || return 1
	python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()[int(sys.argv[2], 16):]
name = data[8:41].split(b"\0")[0].decode()
print("%s@%d" % (name, struct.unpack_from("<I", data, 44)[0]))' "$rodata" "$offset"
}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

bad=0 count=0
for src in selftests/tests/*/*.bpf.c; do
	# Templates built under other names: the limit tests' and fingerprints' (Makefile).
	[[ $(basename "$src") == lim.bpf.c || $(basename "$src") == fp.bpf.c ]] && continue
	stem=$(basename "$src" .bpf.c)
	obj=build/${src%.c}.o
	count=$((count + 1))
	if [[ ! -e $obj ]]; then
		not_ok "$src" "not built: run 'make all'"
		bad=$((bad + 1))
		continue
	fi
	got=$(patch_identity "$obj") || got="no bpflp_patch"
	if [[ $got != "${stem%%.*}" ]]; then
		not_ok "$src" "defines $got: name the file $got.bpf.c (or $got.VARIANT.bpf.c)"
		bad=$((bad + 1))
	fi
done
((bad)) || ok "$count test patches, each named after the patch it defines"

for list in selftests/test-seconds selftests/kernel-exclusions; do
	stale=$(awk '!/^#/ && NF { print $1 }' "$list" | while read -r n; do
		[[ -n ${names[$n]:-} ]] || echo "$n"
	done | tr '\n' ' ')
	if [[ -z $stale ]]; then
		ok "$list names existing tests only"
	else
		not_ok "$list" "names tests that do not exist: $stale"
	fi
done
counts_exit
