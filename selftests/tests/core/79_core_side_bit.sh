#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bit 63 of the commit word is the side bit of the dispatch stubs
# (docs/design.md, "Next", step 2), not a slot:
#  1. every apply and disable flips it, in the one write that moves the
#     slots' bits, and `list -j` gives the slots and the side apart;
#  2. bpflp's stub (dispatch_join --follow), left pinned on
#     security_file_open and reading bpflp's own word, runs the side each
#     of those commits names: one write switches both protocols;
#  3. a patch a bpflp from before the side bit applied in slot 63
#     (BPFLP_LEGACY_SLOT=1 makes that state) keeps bit 63 as its slot:
#     no commit flips it while the patch is active, its gate stays open
#     across a stack and a disable of another patch, `status` sees no
#     drift, and the replace that takes it out leaves side 0, from which
#     the next commit flips again;
#  4. an older patch that deferred to the slot-63 patch on its function
#     stops deferring once it leaves: with a third patch active and the
#     side 1, bpflp_order's bit 63 would otherwise shut it;
#  5. a slot-63 patch whose record pins were deleted by hand would see its
#     gate open with every other commit: transactions are refused, naming
#     it, until its directory is removed and `recover` releases the slot.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

JOIN=$(build_path selftests/helpers/dispatch_join)
FOLLOW=/sys/fs/bpf/bpflp-test-follow-$$ # (bpffs refuses a dot in a name)
on_exit "rm -rf '$FOLLOW'"

# The raw word as `status` prints it ("commit word: 0x... (...)").
raw_word() { "$BPFLP" status | sed -n 's/^commit word: \(0x[0-9a-f]*\) .*/\1/p'; }
side() { list_query .side; }
# The raw word the slots and side `list -j` report make: 0x... as status prints it.
word_of_list() { printf '%#x' $(($(list_query .commit_word) | ($(side) << 63))); }

# step WHAT WANT_BEHAVIOUR ARGS...: run bpflp ARGS, check the side flipped and the word agrees.
step() {
	local what=$1 want=$2 before
	shift 2
	before=$(side)
	bpflp_ok "$@" > /dev/null
	assert_eq "$(side)" "$((1 - before))" "side after $what"
	assert_eq "$(raw_word)" "$(word_of_list)" "raw word after $what: the slots and the side"
	assert_behaviour "$want" "after $what"
}

echo "# 1. every apply and disable flips the side bit"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
[[ $(side) == [01] ]] || fail "side after the first apply: '$(side)', want 0 or 1"
step "stacking t-b@1" "EPERM EPERM ok" apply "$(patch_obj t-b@1)" --stack
step "disabling t-a@1" "ok EPERM ok" disable t-a@1
step "replacing with t-r@1" "EACCES EACCES ok" apply "$(patch_obj t-r@1)"
step "stacking t-c@1" "EACCES EACCES EPERM" apply "$(patch_obj t-c@1)" --stack

echo "# 2. a stub on bpflp's word follows its commits"
bpflp_reset
bpflp_ok apply "$(patch_obj t-b@1)" > /dev/null
"$JOIN" --follow "$TARGET_OPEN" "$STORE" "$FOLLOW" || fail "cannot pin a stub on bpflp's word"
stub_side() { [[ $(side) == 1 ]] && echo EACCES || echo EPERM; }
assert_eq "$("$PROBE" open "$TARGET_OPEN")" "$(stub_side)" "open through the stub, side $(side)"
assert_eq "$("$PROBE" open "$CONTROL_OPEN")" ok "the stub's sides touch only the target"
for cmd in "apply $(patch_obj t-c@1) --stack" "disable t-b@1" "apply $(patch_obj t-b@1)"; do
	before=$("$PROBE" open "$TARGET_OPEN")
	# shellcheck disable=SC2086 # the command's words
	bpflp_ok $cmd > /dev/null
	got=$("$PROBE" open "$TARGET_OPEN")
	assert_eq "$got" "$(stub_side)" "open through the stub after '${cmd##*/}', side $(side)"
	[[ $got != "$before" ]] || fail "the stub ran the same side before and after '${cmd##*/}'"
done
rm -rf "$FOLLOW"
assert_eq "$("$PROBE" open "$TARGET_OPEN")" ok "open with the stub's pins removed"

echo "# 3. slot 63 from a bpflp before the side bit"
bpflp_reset
out=$(BPFLP_LEGACY_SLOT=1 "$BPFLP" -j apply "$(patch_obj t-a@1)") || fail "legacy apply failed"
assert_eq "$(jq -r .slot <<< "$out")" 63 "the legacy patch's slot"
assert_eq "$(side)" null "side while bit 63 is a slot"
assert_eq "$(raw_word)" 0x8000000000000000 "raw word: slot 63 alone"
assert_behaviour "EPERM ok ok" "with t-a@1 in slot 63"
bpflp_ok apply "$(patch_obj t-b@1)" --stack > /dev/null
assert_eq "$(raw_word)" "$(printf '%#x' $((1 << 63 | 1 << $(patch_field t-b@1 slot))))" \
	"raw word after stacking t-b@1: bit 63 kept as a slot, not flipped"
assert_behaviour "EPERM EPERM ok" "with t-b@1 stacked over slot 63"
bpflp_ok disable t-b@1 > /dev/null
assert_eq "$(raw_word)" 0x8000000000000000 "raw word after disabling t-b@1"
assert_behaviour "EPERM ok ok" "t-a@1 in slot 63 still in effect"
status_is 0 consistent "with a patch in slot 63"
grep -q "slot 63 an older bpflp's" "$TDIR/status.out" || fail "status does not say bit 63 is a slot: $(cat "$TDIR/status.out")"
bpflp_ok apply "$(patch_obj t-r@1)" > /dev/null
assert_eq "$(side)" 0 "side once the patch in slot 63 is replaced"
assert_eq "$(raw_word)" "$(word_of_list)" "raw word after the replace"
assert_behaviour "EACCES EACCES ok" "after replacing slot 63's patch"
step "stacking t-c@1 after slot 63 left" "EACCES EACCES EPERM" apply "$(patch_obj t-c@1)" --stack

echo "# 4. what the slot-63 patch left in bpflp_order"
bpflp_reset
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
bpflp_ok apply "$(patch_obj t-c@1)" --stack > /dev/null
out=$(BPFLP_LEGACY_SLOT=1 "$BPFLP" -j apply "$(patch_obj t-r@1)" --stack) || fail "legacy stack failed"
assert_eq "$(jq -r .slot <<< "$out")" 63 "t-r@1's slot"
bpflp_ok apply "$(patch_obj t-b@1)" --stack > /dev/null
assert_behaviour "EACCES EPERM EPERM" "t-r@1 in slot 63 over t-a@1, under t-b@1"
bpflp_ok disable t-r@1 > /dev/null
assert_behaviour "EPERM EPERM EPERM" "after disabling slot 63's patch"
assert_eq "$(side)" 0 "side once slot 63's patch is out"
bpflp_ok disable t-b@1 > /dev/null
assert_eq "$(side)" 1 "side after the next disable"
assert_behaviour "EPERM ok EPERM" "side 1: t-a@1 defers to no slot 63"
assert_eq "$(bpftool -j map dump pinned "$STORE/bpflp_order" | jq '[.[].value | if type == "array" then (.[7] | test("^0x[89a-f]")) else . >= 9223372036854775808 end | select(.)] | length')" 0 \
	"bpflp_order entries with bit 63"

echo "# 5. slot 63 armed for a patch without a record"
bpflp_reset
BPFLP_LEGACY_SLOT=1 bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
rm "$STORE/patches/t-a@1/meta" "$STORE/records/t-a@1"
rc=0
out=$("$BPFLP" apply "$(patch_obj t-b@1)" 2>&1) || rc=$?
assert_eq "$rc" 1 "apply exit status with slot 63 armed for no record"
assert_match "$out" "slot 63 is armed for a patch no record names .*run 'bpflp recover'" "apply names the problem and the fix"
assert_behaviour "EPERM ok ok" "nothing changed: the patch without a record still in effect"
rc=0
out=$("$BPFLP" recover 2>&1) || rc=$?
assert_eq "$rc" 1 "recover exit status while the directory is there"
assert_match "$out" "remove its directory" "recover says what to do"
rm -rf "$STORE/patches/t-a@1"
recovered() { "$BPFLP" recover > /dev/null 2>&1; }
wait_for 30 recovered || fail "recover after removing the directory: $("$BPFLP" recover 2>&1)"
bpflp_ok apply "$(patch_obj t-b@1)" > /dev/null
assert_behaviour "ok EPERM ok" "after recover, t-b@1 applied"
assert_eq "$(raw_word)" "$(word_of_list)" "raw word: the slots and the side"
