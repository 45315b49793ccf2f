#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# State on disk tells the truth, or bpflp says it doesn't. Pins deleted by
# hand, one kind at a time; each time `list`, `status` (exit code) and the
# kernel's behaviour are checked, then the repair:
#  1. a link pin: the function is unpatched; list and status say so;
#     recover re-attaches it from the pinned program; so does applying the
#     patch again; with the program pin gone too, only applying it again can.
#  2. bpflp's take: on an entry-only function only its program is pinned
#     between transactions, and applying again loads it; so does recover,
#     from the record (bpflp's own programs), and the next transaction
#     links it; where the patch has an fexit program, recover attaches a
#     deleted take link again, and loads and attaches take and drop whose
#     links and programs were all deleted.
#  3. a record's meta pin: list still shows the patch (from records/), and
#     the next command pins it again; both record pins: recover refuses,
#     and after 'rm -rf' of the directory it clears the slot.
#  4. the shared maps bpflp_state and bpflp_cover: the next command pins
#     the very same maps again (same ids), and the newest stacked patch
#     still wins.
#  5. the whole patch directory: recover records the patch as disabled.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
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

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
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
out=$(bpflp_ok apply "$(patch_obj t-a@1)")
assert_match "$out" "^t-a@1 was active with pieces detached by hand: repaired" "re-apply repairs"
assert_behaviour "EPERM ok ok" "after re-applying"

rm "$LINK" "$DIR/security_file_open__fmod_ret_prog"
status_is 4 "with the program gone too"
rc=0
out=$("$BPFLP" recover 2>&1) || rc=$?
assert_eq "$rc" 1 "recover exit status when it cannot repair"
assert_match "$out" "the fmod_ret link and its program are gone: apply .*t-a@1.bpf.o again" "recover says to apply again"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "after applying the object again"
status_is 0 "after applying the object again"

echo "# 2. bpflp's take and drop"
# t-a@1 has only an fmod_ret there: they are linked only during a transaction.
[[ ! -e $DIR/security_file_open__take_link && ! -e $DIR/security_file_open__drop_link ]] ||
	fail "take or drop link pinned between transactions on an entry-only function"
rm "$DIR/security_file_open__take_prog"
status_is 2 "without the take program (bpflp can load it again)"
assert_match "$(bpflp_ok apply "$(patch_obj t-a@1)")" "^t-a@1 was active with pieces detached by hand: repaired" \
	"re-applying loads the take again"
[[ -e $DIR/security_file_open__take_prog ]] || fail "take program pin not restored"
status_is 0 "after re-applying"
rm "$DIR/security_file_open__take_prog" "$DIR/security_file_open__drop_prog"
status_is 2 "without the take and drop programs"
assert_match "$("$BPFLP" list)" "security_file_open: the bpflp's take program is gone; bpflp can load it again from the record" \
	"list names the lost take"
out=$(bpflp_ok recover)
assert_match "$out" "t-a@1: security_file_open: loaded the bpflp's take program again" "recover reloads the take"
assert_match "$out" "t-a@1: security_file_open: loaded the bpflp's drop program again" "recover reloads the drop"
[[ -e $DIR/security_file_open__take_prog && -e $DIR/security_file_open__drop_prog ]] ||
	fail "take or drop program pin not restored by recover"
[[ ! -e $DIR/security_file_open__take_link && ! -e $DIR/security_file_open__drop_link ]] ||
	fail "recover linked an entry-only function's take or drop between transactions"
status_is 0 "after recover loaded take and drop"
assert_eq "$(bpftool -j prog show pinned "$DIR/security_file_open__take_prog" | jq -r .type)" tracing \
	"the restored take program's type"
# The restored programs are linked by the next transaction that snaps t-a@1:
# the disable of t-v@1 stacked over it, which leaves t-a@1 the newest on
# security_file_open. Held at commit, their links are there.
bpflp_ok apply "$(patch_obj t-v@1)" --stack > /dev/null
hold commit disable t-v
[[ -e $DIR/security_file_open__take_link && -e $DIR/security_file_open__drop_link ]] ||
	fail "the restored take and drop were not linked during the disable of t-v@1"
assert_eq "$(bpftool -j link show pinned "$DIR/security_file_open__take_link" | jq -r .prog_id)" \
	"$(bpftool -j prog show pinned "$DIR/security_file_open__take_prog" | jq -r .id)" \
	"the take link's program is the restored take"
release
status_is 0 "after a disable that linked the restored take"
assert_behaviour "EPERM ok ok" "t-a@1 alone again, over the restored take"
# t-o@1 has an fexit there: its take and drop stay linked, and recover
# attaches them again; t-o@1, newest on security_file_open, sees each open
# once. As applied, the drop is older than the fexit (the kernel runs the
# newest fexit first, so the drop runs after it).
on_exit "rm -f $T_OBS_PIN"
ODIR=$STORE/patches/t-o@1
link_id() { bpftool -j link show pinned "$ODIR/security_file_open__$1_link" | jq -r .id; }
in_order() {
	local drop fexit
	read -r drop fexit <<< "$(link_id drop) $(link_id fexit)"
	((drop < fexit)) || fail "t-o@1's links $1: drop $drop, fexit $fexit; want the drop attached first"
}
# observed_once WHAT: an open of the target is allowed (t-o@1 wins) and counted once.
observed_once() {
	local before
	before=$(t_observed)
	assert_eq "$("$PROBE" open "$TARGET_OPEN")" ok "open of the target with t-o@1 newest $1"
	assert_eq "$(t_observed)" $((before + 1)) "t-o@1's count of one open $1"
}
bpflp_ok apply "$(patch_obj t-o@1)" --stack > /dev/null
in_order "as applied"
observed_once "as applied"
rm "$ODIR/security_file_open__take_link"
status_is 2 "without the take link"
assert_match "$(bpflp_ok recover)" "attached the bpflp's take again" "recover re-attaches the take"
[[ -e $ODIR/security_file_open__take_link ]] || fail "take link pin not restored"
status_is 0 "after recover"
in_order "after recover attached the take"
observed_once "after recover attached the take"
rm "$ODIR/security_file_open__drop_link"
status_is 2 "without the drop link"
out=$(bpflp_ok recover)
assert_match "$out" "t-o@1: security_file_open: attached the bpflp's drop again" "recover re-attaches the drop"
status_is 0 "after recover attached the drop"
# Now newer than the fexit, the drop runs first: the fexit finds no entry
# and reads the live word, never pushing one that nothing would pop.
observed_once "after recover attached the drop"
observed_once "after recover attached the drop (again)"
rm "$ODIR/security_file_open__take_link" "$ODIR/security_file_open__take_prog" \
	"$ODIR/security_file_open__drop_link" "$ODIR/security_file_open__drop_prog"
status_is 2 "without t-o@1's take and drop, links and programs"
out=$(bpflp_ok recover)
assert_match "$out" "t-o@1: security_file_open: loaded the bpflp's drop program again" "recover reloads t-o@1's drop"
assert_match "$out" "t-o@1: security_file_open: attached the bpflp's take again" "recover attaches t-o@1's take"
for piece in take_link take_prog drop_link drop_prog; do
	[[ -e $ODIR/security_file_open__$piece ]] || fail "t-o@1's $piece pin not restored by recover"
done
assert_eq "$(bpftool -j link show pinned "$ODIR/security_file_open__drop_link" | jq -r .prog_id)" \
	"$(bpftool -j prog show pinned "$ODIR/security_file_open__drop_prog" | jq -r .id)" \
	"t-o@1's drop link runs the restored drop"
status_is 0 "after recover restored t-o@1's take and drop"
observed_once "after recover restored t-o@1's take and drop"
assert_eq "$(tracing_links)" 4 "tracing links: t-a@1's fmod_ret, t-o@1's drop, fexit and take"
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
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
bpflp_ok apply "$(patch_obj t-s@1)" --stack > /dev/null
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

echo "# 4b. bpflp_state deleted with no patch active: the commit program's pin still holds it"
# A new map would start the epoch over (and lose 'stats off'), while
# bpflp_snap may keep entries of calls stamped with the old epochs.
bpflp_ok disable t-a > /dev/null
bpflp_ok stats off > /dev/null
state_id=$(map_id bpflp_state) epoch=$(state_field epoch)
rm "$STORE/bpflp_state"
bpflp_ok recover > /dev/null	# writes nothing of its own to stats_off
assert_eq "$(map_id bpflp_state)" "$state_id" "the same bpflp_state pinned again, from the commit program"
assert_eq "$(state_field stats_off)" 1 "stats_off kept"
(($(state_field epoch) >= epoch)) || fail "the epoch went back from $epoch to $(state_field epoch)"
bpflp_ok stats on > /dev/null
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "t-a@1 applied again"

echo "# 5. the whole directory of an active patch"
rm -rf "$DIR"
assert_behaviour "ok ok ok" "after rm -rf of t-a@1's directory"
assert_eq "$(drift_repairs)" record "list -j drift"
status_is 2 "without the directory"
bpflp_ok recover > /dev/null
assert_eq "$(patch_field t-a@1 state)" disabled "t-a@1 recorded as disabled"
assert_eq "$(list_query .commit_word)" 0 "commit word"
status_is 0 "after recover"
