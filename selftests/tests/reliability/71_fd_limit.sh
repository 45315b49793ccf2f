#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A patch of 100 functions (of the generated module bpflp_bench) needs more
# descriptors while it loads than a low soft limit allows: bpflp raises its
# soft limit to the hard one itself, so the apply works under 'ulimit -Sn
# 64' and every function gets its links, and so does a replace by a second
# version of it. Under a hard limit of 64 it cannot:
# the apply is refused with one line naming the limit and how to raise it,
# and changes nothing.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

grep -q '^bpflp_bench ' /proc/modules || insmod "$(build_path "bench/kmod/$(uname -r)/bpflp_bench.ko")"
on_exit 'rmmod bpflp_bench 2>/dev/null || true'
wide=$(build_path bench/patches/scale-100-v1.bpf.o)

# Soft limit 64, hard limit as it was: bpflp takes what the hard limit allows.
out=$(ulimit -Sn 64 && "$BPFLP" apply "$wide" 2>&1) || fail "apply of 100 functions under 'ulimit -Sn 64': $out"
assert_eq "$(patch_field scale-100@1 state)" active "scale-100@1 after an apply under 'ulimit -Sn 64'"
assert_eq "$("$BPFLP" -j show scale-100 | jq '.functions | length')" 100 "functions of scale-100@1"
links=$(patch_link_ids scale-100@1)
assert_eq "$(wc -w <<< "$links")" 100 "links of scale-100@1 (its program on each function; take and drop are linked only during a transaction)"
assert_links_live "$links" "links of scale-100@1"
# The replace links v2's take and drop on all 100 functions too, for its duration.
out=$(ulimit -Sn 64 && "$BPFLP" apply "$(build_path bench/patches/scale-100-v2.bpf.o)" 2>&1) ||
	fail "replace of 100 functions under 'ulimit -Sn 64': $out"
assert_links_gone "$links" "links of scale-100@1 after the replace"
links=$(patch_link_ids scale-100@2)
assert_eq "$(wc -w <<< "$links")" 100 "links of scale-100@2 once the replace is over"
assert_links_live "$links" "links of scale-100@2"
bpflp_ok disable scale-100 > /dev/null
assert_links_gone "$links" "links of scale-100@2 after disable"

# Hard limit 64: out of descriptors, refused in one line, nothing changed.
tree=$(bpffs_tree)
rc=0
out=$(ulimit -n 64 && "$BPFLP" apply "$wide" 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status of an apply of 100 functions under 'ulimit -n 64'"
assert_eq "$(wc -l <<< "$out")" 1 "lines of its message"
assert_match "$out" "out of file descriptors.*ulimit -Hn" "its message names the limit and how to raise it"
assert_eq "$(bpffs_tree)" "$tree" "bpffs tree after the refused apply"
assert_eq "$(patch_field scale-100@1 state)" replaced "scale-100@1 is still the replaced record"
