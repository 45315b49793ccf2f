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
#     the next commit flips again.
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
