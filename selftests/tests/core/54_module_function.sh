#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A function of a loaded module is patched like one of vmlinux: 9p's
# v9fs_statfs (the VM's root is a 9p mount) is observed by a patch (ftrace
# shows the module function's trampoline), statfs(2) on the mount is counted,
# bpflp's take and drop there, their pins deleted, are loaded again by
# recover through the module's BTF; disable takes the link away. (Replacing it is refused up front, naming
# the module: selftests/tests/input/badobj's module-function case.)
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

grep -q '^v9fs_statfs \[9p\]$' "$TRACING/available_filter_functions" ||
	skip "v9fs_statfs of module 9p is not traceable here"

bpflp_ok apply "$(patch_obj t-mod@1)"
links=$(patch_link_ids t-mod@1)
assert_links_live "$links" "links of t-mod@1"
# bpftool 7.1 does not show a tracing link's target: ftrace's list names the module.
line=$(grep '^v9fs_statfs ' "$TRACING/enabled_functions" || true)
assert_match "$line" '^v9fs_statfs \[9p\] .*tramp' "ftrace: v9fs_statfs of module 9p carries a BPF trampoline"
assert_eq "$(traced v9fs_statfs)" yes "v9fs_statfs carries a trampoline"

before=$("$BPFLP" -j show t-mod | jq -r '.functions[0].calls')
for i in 1 2 3 4 5; do stat -f "$BPFLP_ROOT" > /dev/null; done
after=$("$BPFLP" -j show t-mod | jq -r '.functions[0].calls')
((after >= before + 5)) || fail "5 statfs on the 9p mount: v9fs_statfs calls went from $before to $after"
echo "  ok: 5 statfs calls counted on v9fs_statfs ($before -> $after)"

dir=$STORE/patches/t-mod@1
rm "$dir/v9fs_statfs__take_prog" "$dir/v9fs_statfs__drop_prog"
rc=0
"$BPFLP" status > /dev/null || rc=$?
assert_eq "$rc" 2 "status without the take and drop programs on a module function"
out=$(bpflp_ok recover)
assert_match "$out" "t-mod@1: v9fs_statfs: loaded the bpflp's take program again" "recover reloads the take"
[[ -e $dir/v9fs_statfs__take_prog && -e $dir/v9fs_statfs__drop_prog ]] ||
	fail "take or drop program of v9fs_statfs not pinned again by recover"
assert_ok "$BPFLP" status > /dev/null

bpflp_ok disable t-mod
assert_links_gone "$links" "links of t-mod@1 after disable"
assert_untraced v9fs_statfs "after disable"

