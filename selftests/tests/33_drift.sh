#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State on disk tells the truth, or bpflp says it doesn't. Pins deleted by
# hand, one kind at a time; each time `list`, `status` (exit code) and the
# kernel's behaviour are checked, then the repair:
#  1. a link pin: the function is unpatched; list and status say so;
#     recover re-attaches it from the pinned program; so does applying the
#     patch again; with the program pin gone too, only applying it again can.
#  2. bpflp's take: on an entry-only function only its program is pinned
#     between transactions, and applying again loads it; where the patch
#     has an fexit program, recover attaches a deleted take link again.
#  3. a record's meta pin: list still shows the patch (from records/), and
#     the next command pins it again; both record pins: recover refuses,
#     and after 'rm -rf' of the directory it clears the slot.
#  4. the shared maps bpflp_state and bpflp_cover: the next command pins
#     the very same maps again (same ids), and the newest stacked patch
#     still wins.
#  5. the whole patch directory: recover records the patch as disabled.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/core_lib.bash"
core_setup

DIR=$STORE/patches/t-a@1
LINK=$DIR/security_file_open__fmod_ret_link

# status_is CODE WHAT: `bpflp status` exits CODE; `-j status` says the same.
status_is() {
	local rc=0
	"$BPFLP" status > "$TDIR/status.out" || rc=$?
	assert_eq "$rc" "$1" "status exit code $2"
	assert_eq "$("$BPFLP" -j status | jq -r .exit_code)" "$1" "status -j exit_code $2"
}
drift_repairs() { list_query '[.drift[].repair] | join(" ")'; }
map_id() { bpftool -j map show pinned "$STORE/$1" | jq -r .id; }

bpflp_ok apply "$(patch_obj t_a1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-a@1"
status_is 0 "when consistent"

echo "# 1. a deleted link pin"
rm "$LINK"
assert_behaviour "ok ok ok" "after deleting the fmod_ret link pin (unpatched)"
assert_eq "$(drift_repairs)" reattach "list -j drift"
assert_match "$("$BPFLP" list)" "security_file_open: the fmod_ret link is gone, so security_file_open is not fully patched \('bpflp recover' attaches it again\)" "plain list names the drift"
status_is 2 "with a missing link"
out=$(bpflp_ok recover)
assert_match "$out" "t-a@1: security_file_open: attached the fmod_ret again" "recover says what it repaired"
assert_behaviour "EPERM ok ok" "after recover"
status_is 0 "after recover"
assert_links_live "$(patch_link_ids t-a@1)" "t-a@1 links after recover"

rm "$LINK"
out=$(bpflp_ok apply "$(patch_obj t_a1)")
assert_match "$out" "^t-a@1 was active with pieces detached by hand: repaired" "re-apply repairs"
assert_behaviour "EPERM ok ok" "after re-applying"

rm "$LINK" "$DIR/security_file_open__fmod_ret_prog"
status_is 4 "with the program gone too"
rc=0
out=$("$BPFLP" recover 2>&1) || rc=$?
assert_eq "$rc" 1 "recover exit status when it cannot repair"
assert_match "$out" "the fmod_ret link and its program are gone: apply .*t_a1.bpf.o again" "recover says to apply again"
bpflp_ok apply "$(patch_obj t_a1)" > /dev/null
assert_behaviour "EPERM ok ok" "after applying the object again"
status_is 0 "after applying the object again"

echo "# 2. bpflp's take and drop"
# t-a@1 has only an fmod_ret there: they are linked only during a transaction.
[[ ! -e $DIR/security_file_open__take_link && ! -e $DIR/security_file_open__drop_link ]] ||
	fail "take or drop link pinned between transactions on an entry-only function"
rm "$DIR/security_file_open__take_prog"
status_is 4 "without the take program"
assert_match "$(bpflp_ok apply "$(patch_obj t_a1)")" "^t-a@1 was active with pieces detached by hand: repaired" \
	"re-applying loads the take again"
[[ -e $DIR/security_file_open__take_prog ]] || fail "take program pin not restored"
status_is 0 "after re-applying"
# t-o@1 has an fexit there: its take and drop stay, and recover re-attaches them.
bpflp_ok apply "$(patch_obj t_o1)" --stack > /dev/null
ODIR=$STORE/patches/t-o@1
rm "$ODIR/security_file_open__take_link"
status_is 2 "without the take link"
assert_match "$(bpflp_ok recover)" "attached the bpflp's take again" "recover re-attaches the take"
[[ -e $ODIR/security_file_open__take_link ]] || fail "take link pin not restored"
status_is 0 "after recover"
bpflp_ok disable t-o > /dev/null
assert_behaviour "EPERM ok ok" "after disabling t-o@1"

echo "# 3. record pins"
rm "$DIR/meta"
assert_eq "$(active_patches)" "t-a@1" "list still shows t-a@1 without its meta pin"
status_is 2 "without the meta pin"
bpflp_ok recover > /dev/null
[[ -e $DIR/meta ]] || fail "meta pin not restored"
status_is 0 "after recover"
rm "$DIR/meta" "$STORE/records/t-a@1"
status_is 4 "without either record pin"
assert_eq "$(active_patches)" "" "list shows no record"
assert_match "$("$BPFLP" list)" "holds [0-9]+ pins but no record" "list names the directory without a record"
rc=0
"$BPFLP" recover > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "recover exit status with an unknown directory"
assert_behaviour "EPERM ok ok" "the patch without a record is still in effect"
rm -rf "$DIR"
bpflp_ok recover > /dev/null
status_is 0 "after rm -rf of the directory and recover"
assert_eq "$(list_query .commit_word)" 0 "commit word after recover"
assert_behaviour "ok ok ok" "after rm -rf of the directory"

echo "# 4. shared maps"
bpflp_ok apply "$(patch_obj t_a1)" > /dev/null
bpflp_ok apply "$(patch_obj t_s1)" --stack > /dev/null
state_id=$(map_id bpflp_state) cover_id=$(map_id bpflp_cover)
rm "$STORE/bpflp_state" "$STORE/bpflp_cover"
assert_behaviour "EACCES ok ok" "t-s@1 still wins without the map pins"
status_is 2 "without the shared map pins"
bpflp_ok recover > /dev/null
assert_eq "$(map_id bpflp_state) $(map_id bpflp_cover)" "$state_id $cover_id" "the same maps pinned again"
assert_behaviour "EACCES ok ok" "after recover"
bpflp_ok disable t-s > /dev/null
assert_behaviour "EPERM ok ok" "t-a@1 after disabling t-s@1"
status_is 0 "after disable"

echo "# 5. the whole directory of an active patch"
rm -rf "$DIR"
assert_behaviour "ok ok ok" "after rm -rf of t-a@1's directory"
assert_eq "$(drift_repairs)" record "list -j drift"
status_is 2 "without the directory"
bpflp_ok recover > /dev/null
assert_eq "$(patch_field t-a@1 state)" disabled "t-a@1 recorded as disabled"
assert_eq "$(list_query .commit_word)" 0 "commit word"
status_is 0 "after recover"
