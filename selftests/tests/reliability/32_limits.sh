#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Limits are real, named up front, and always leave a way out:
#  1. a new patch gets the slot released longest ago (never used first);
#  2. a hotfix rotated the gap-free way (stack the new, disable the old)
#     66 times with 2 patches active never runs out of slots: it goes
#     through all 63 and wraps, and the newest stacked patch wins whatever
#     its slot number (bpflp_order, not the number, says which is newer);
#  3. per function the kernel allows 38 trampoline links; a patch takes 1
#     there at rest (its program) and 2 more while a transaction needs its
#     take and drop: the 32nd stacked patch on one function is refused up
#     front with a message naming the limit, changing nothing, and a disable
#     and a cumulative replace at that depth still work;
#  4. 62 stacked patches: the 63rd is refused (63 slots, bit 63 of the
#     commit word being the side bit, and one kept for a replace), none
#     takes slot 63, and a cumulative replace of all 62 works.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

lim() { build_path "selftests/tests/reliability/lim-$1.bpf.o"; }
slot_of() { patch_field "$1" slot; }
# refused WANT_MESSAGE ARGS...: bpflp ARGS fails with exactly that error and changes nothing.
refused() {
	local want=$1 tree out rc=0
	shift
	tree=$(bpffs_tree)
	out=$("$BPFLP" "$@" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status of bpflp ${*##*/}"
	assert_eq "$out" "bpflp: error: $want" "message of bpflp ${*##*/}"
	assert_eq "$(bpffs_tree)" "$tree" "bpffs tree after the refused ${1}"
}

echo "# 1. the slot released longest ago, never used first"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
bpflp_ok apply "$(patch_obj t-s@1)" --stack > /dev/null
assert_behaviour "EACCES ok ok" "t-s@1 stacked over t-a@1"
bpflp_ok disable t-a > /dev/null
bpflp_ok apply "$(patch_obj t-a@1)" --stack > /dev/null
assert_eq "$(slot_of t-a@1) $(slot_of t-s@1)" "2 1" "slots: t-a@1 gets slot 2, not the slot 0 it just gave up"
assert_behaviour "EPERM ok ok" "t-a@1 stacked over t-s@1"
bpflp_ok disable t-a > /dev/null
assert_behaviour "EACCES ok ok" "after disabling the newer t-a@1"
bpflp_ok disable t-s > /dev/null

echo "# 2. rotating a hotfix: stack the new one, disable the old, 66 times"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
old=t-a new=t-s
declare -A obj_of=([t-a]=t-a@1 [t-s]=t-s@1) errno_of=([t-a]=EPERM [t-s]=EACCES) used=()
wrapped=0 old_slot=$(slot_of t-a@1)
for ((i = 1; i <= 66; i++)); do
	slot=$(bpflp_ok -j apply "$(patch_obj "${obj_of[$new]}")" --stack | jq -r .slot)
	used[$slot]=1
	((slot < old_slot)) && wrapped=$((wrapped + 1))
	bpflp_ok disable "$old" > /dev/null
	got=$("$PROBE" open "$TARGET_OPEN")
	[[ $got == "${errno_of[$new]}" ]] || fail "rotation $i: open gave $got, want ${errno_of[$new]} ($new, slot $slot, over slot $old_slot)"
	tmp=$old old=$new new=$tmp old_slot=$slot
done
echo "  ok: 66 rotations, each new patch in effect at once"
assert_eq "${#used[@]}" 63 "slots the rotation went through"
[[ -z ${used[63]:-} ]] || fail "a rotation took slot 63, the commit word's side bit"
((wrapped > 0)) || fail "no rotation put the newer patch in a lower slot than the older one"
echo "  ok: $wrapped rotations stacked the newer patch in a lower slot, and it won"
bpflp_ok disable "$old" > /dev/null

echo "# 3. 38 trampoline links per function"
# One link per stacked patch at rest: take and drop come only with a transaction.
# The kernel frees the links a transaction unpinned a moment later: the
# room check counts them until then.
bpflp_ok apply "$(lim 1-1)" > /dev/null
for ((n = 2; n <= 31; n++)); do
	bpflp_ok apply "$(lim 1-$n)" --stack > /dev/null
	wait_for 30 tracing_links_are "$n" || fail "$(tracing_links) tracing links after stacking $n patches, want $n"
done
assert_eq "$(list_query '[.patches[] | select(.state == "active")] | length')" 31 "patches stacked on security_sb_statfs"
echo "  ok: 31 tracing links at rest, one per stacked patch"
refused "cannot stack lim-1-32: security_sb_statfs would carry 34 BPF trampoline links; the kernel allows 38 per function and bpflp keeps 5 free so a cumulative replace always fits: apply a cumulative patch without --stack, or disable a stacked patch" \
	apply "$(lim 1-32)" --stack
# At full depth a disable of the newest links its take and drop and the next one's (35 links).
bpflp_ok disable lim-1-31 > /dev/null
wait_for 30 tracing_links_are 30 || fail "$(tracing_links) tracing links after the disable, want 30"
bpflp_ok apply "$(lim 1-31)" --stack > /dev/null
wait_for 30 tracing_links_are 31 || fail "$(tracing_links) tracing links after stacking lim-1-31 again, want 31"
out=$(bpflp_ok apply "$(lim 1-32)")
assert_match "$out" "^applied lim-1-32@1 \(replace, 1 function\); replaced lim-1-1@1, " "cumulative replace at full depth"
assert_eq "$(active_patches)" "lim-1-32@1" "active after the replace"

echo "# 4. 63 slots, one kept for a cumulative replace"
for f in 2 3 4 5 6; do
	for ((n = 1; n <= 11; n++)); do
		bpflp_ok apply "$(lim "$f-$n")" --stack > /dev/null
	done
done
for ((n = 1; n <= 6; n++)); do
	bpflp_ok apply "$(lim "1-$n")" --stack > /dev/null
done
assert_eq "$(list_query '[.patches[] | select(.state == "active")] | length')" 62 "patches stacked"
refused "cannot stack lim-1-7: 62 patches are active, the most bpflp stacks (63 slots, one kept free so a cumulative replace always fits); apply a cumulative patch without --stack, or disable one" \
	apply "$(lim 1-7)" --stack
assert_eq "$(list_query '[.patches[].slot | select(. == 63)] | length')" 0 "patches in slot 63, the side bit"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(active_patches)" "t-a@1" "active after replacing 62 stacked patches"
assert_behaviour "EPERM ok ok" "after the cumulative replace"
assert_eq "$(list_query .commit_word)" "$(expected_word)" "commit word"
for f in security_sb_statfs security_inode_symlink security_inode_mknod; do
	assert_untraced "$f" "after the replace"
done
