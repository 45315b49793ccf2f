#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp stats on|off: with the counters off, every patch still patches but
# counts nothing (show's calls and overrides stand still), for patches
# applied later too, through transactions that rewrite bpflp_state; on
# again, they count. Checked in the kernel: the syscall's result, the
# per-CPU counters bpflp show sums, bpflp_state.stats_off as bpftool reads
# it. Asking, or switching on what is on, makes no state tree; a
# bpflp_state of another ABI is named, never read past or used; bad
# settings and a setting while another transaction holds the lock are
# refused with nothing changed; both switches are in bpflp log.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

# overrides / calls of t-a's one function, as bpflp show sums them.
overrides() { "$BPFLP" -j show t-a | jq -r '.functions[0].overrides'; }
calls() { "$BPFLP" -j show t-a | jq -r '.functions[0].calls'; }
# deny N: N opens of the patched target, each refused by t-a.
deny() {
	local i
	for ((i = 0; i < $1; i++)); do
		assert_eq "$("$PROBE" open "$TARGET_OPEN")" EPERM "open of the target, with t-a@1"
	done
}

echo "# 1. asking creates nothing; the default is on"
assert_eq "$(bpflp_ok -j stats)" '{"stats":"on","changed":false}' "stats before bpflp ever ran"
[[ ! -e $STORE ]] || fail "'bpflp stats' created $STORE"
echo "  ok: no state tree made by asking"

assert_eq "$(bpflp_ok -j stats on)" '{"stats":"on","changed":false}' "stats on before bpflp ever ran"
[[ ! -e $STORE ]] || fail "'bpflp stats on' created $STORE"
echo "  ok: no state tree made by switching on what is on"

echo "# 1b. a bpflp_state of another ABI (a 32-byte value, as ABI 5's) is named, not overrun or used"
mkdir -p "$STORE"
bpftool map create "$STORE/bpflp_state" type array key 4 value 32 entries 1 name bpflp_state
foreign_id=$(bpftool -j map show pinned "$STORE/bpflp_state" | jq .id)
for cmd in "stats" "stats off" "list" "apply $(patch_obj t-a@1)"; do
	# shellcheck disable=SC2086 # cmd holds the words of a command line
	out=$("$BPFLP" $cmd 2>&1) && fail "'bpflp $cmd' succeeded over another ABI's bpflp_state: $out"
	assert_eq "$(wc -l <<< "$out")" 1 "one error line for 'bpflp $cmd' over another ABI's state"
	assert_match "$out" "made by a bpflp of another ABI .a 32-byte value, this bpflp.s is 40" "error of 'bpflp $cmd'"
done
assert_eq "$(bpftool -j map show pinned "$STORE/bpflp_state" | jq .id)" "$foreign_id" \
	"the foreign bpflp_state pin after the refused commands"
# (The lock may make the records and patches directories, as any bpflp run does; they stay empty.)
assert_eq "$(find "$STORE" -mindepth 1 -not -type d -printf '%f ')" "bpflp_state " "pins in $STORE after the refused commands"
assert_eq "$(behaviour)" "ok ok ok" "open/unlink/mkdir outcomes after the refused apply"
rm -rf "$STORE"

echo "# 2. on: calls and overrides counted"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(state_field stats_off)" 0 "bpflp_state.stats_off after the first apply"
deny 2
assert_eq "$(overrides)" 2 "overrides after 2 denied opens, counters on"

echo "# 3. off: the patch still works, nothing is counted"
assert_eq "$(bpflp_ok -j stats off)" '{"stats":"off","changed":true}' "stats off"
assert_eq "$(state_field stats_off)" 1 "bpflp_state.stats_off after 'stats off'"
assert_eq "$(bpflp_ok stats off)" \
	"call counters off (already): 'bpflp show' counts no calls until 'bpflp stats on'" "stats off again"
before_calls=$(calls)
deny 3
assert_eq "$(overrides)" 2 "overrides after 3 more denied opens, counters off"
assert_eq "$(calls)" "$before_calls" "calls after 3 more denied opens, counters off"
assert_eq "$("$BPFLP" -j show t-a | jq -r .stats)" off "show -j: stats"
assert_match "$(bpflp_ok show t-a)" "call counters off" "show says the counters are off"

echo "# 4. transactions keep the setting, for patches applied later too"
bpflp_ok disable t-a > /dev/null
assert_eq "$(state_field stats_off)" 1 "stats_off after a disable"
bpflp_ok gc > /dev/null
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
deny 2
assert_eq "$(overrides) $(calls)" "0 0" "a patch applied with the counters off: overrides, calls"
assert_eq "$(bpflp_ok -j stats)" '{"stats":"off","changed":false}' "stats after apply"

echo "# 5. bad settings change nothing"
for bad in maybe ON 1 "off " ""; do
	out=$("$BPFLP" stats "$bad" 2>&1) && fail "'bpflp stats \"$bad\"' succeeded: $out"
	assert_eq "$(wc -l <<< "$out")" 1 "one error line for 'stats \"$bad\"'"
	assert_match "$out" "give on or off" "error for 'stats \"$bad\"'"
done
out=$("$BPFLP" stats on off 2>&1) && fail "'bpflp stats on off' succeeded"
assert_match "$out" "takes one setting" "error for two settings"
assert_eq "$(state_field stats_off)" 1 "stats_off after the refused settings"

echo "# 6. refused while another transaction holds the lock"
hold staged apply "$(patch_obj t-v@1)"
out=$("$BPFLP" stats on 2>&1) && fail "'bpflp stats on' succeeded under another transaction: $out"
assert_match "$out" "another bpflp transaction is running" "stats on under a held apply"
assert_eq "$(state_field stats_off)" 1 "stats_off while the apply is held"
release
assert_eq "$(state_field stats_off)" 1 "stats_off after the held apply committed"

echo "# 7. on again: counted again; both switches logged"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(bpflp_ok stats on)" "call counters on: 'bpflp show' counts every patched call" "stats on"
assert_eq "$(state_field stats_off)" 0 "bpflp_state.stats_off after 'stats on'"
before=$(overrides)
deny 2
assert_eq "$(overrides)" $((before + 2)) "overrides after 2 denied opens, counters on again"
ops=$("$BPFLP" -j log | jq -r '[.entries[] | select(.operation | startswith("stats")) | "\(.operation):\(.outcome)"] | .[-4:] | join(" ")')
assert_eq "$ops" "stats-off:committed stats-off:unchanged stats-on:failed stats-on:committed" \
	"bpflp log: the stats switches"
