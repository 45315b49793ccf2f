#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp log, the history of transactions (docs/cli.md, "log"):
#  - each transaction leaves one record: apply, unchanged re-apply,
#    replace (naming what it replaced), disable, failed ones with the
#    error they reported, each with its pid and a duration;
#  - a transaction killed with BPFLP_FAULT is recorded by the bpflp that
#    rolls it back (a later list) or forward (recover): its own pid, the
#    recovering one's, no duration;
#  - --last N, plain and -j output;
#  - four bpflp appending at once: every record whole, none lost (the
#    unit test test_history appends 1600 from 8 processes);
#  - a hand-corrupted history: bad lines skipped and counted, log exits 0;
#  - a history that cannot be written: the transaction succeeds, one
#    warning on stderr, -j stdout still one valid document.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup
export BPFLP_STATE_DIR=$TDIR/state
HISTORY=$BPFLP_STATE_DIR/history.log

# records [N]: "OPERATION PATCH OUTCOME REPLACED" of the last N records (all without N).
records() {
	"$BPFLP" -j log ${1:+--last $1} |
		jq -r '.entries[] | "\(.operation) \(.patch) \(.outcome) \(.replaced | join(","))"' | sed 's/ $//'
}
last_record() { "$BPFLP" -j log --last 1 | jq -c ".entries[0] | $1"; }

out=$(bpflp_ok log)
assert_eq "$out" "no transactions recorded in $HISTORY" "plain log with no history"
assert_eq "$("$BPFLP" -j log | jq -c '[.entries, .skipped]')" "[[],0]" "-j log with no history"

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(records 1)" "apply t-a@1 committed" "apply recorded"
assert_eq "$(last_record '[.pid > 1, .duration_us > 0, .recovered_by, .error]')" "[true,true,null,null]" \
	"the record has a pid and a duration, no recoverer, no error"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(records 1)" "apply t-a@1 unchanged" "re-apply of the active patch recorded as unchanged"
bpflp_ok apply "$(patch_obj t-b@1)" > /dev/null
assert_eq "$(records 1)" "replace t-b@1 committed t-a@1" "replace recorded with what it replaced"
bpflp_ok disable t-b@1 > /dev/null
assert_eq "$(records 1)" "disable t-b@1 committed" "disable recorded"
rc=0
"$BPFLP" apply "$(patch_obj t-fail@1)" > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "a failing apply fails"
assert_eq "$(records 1)" "apply t-fail@1 failed" "the failed apply recorded"
assert_match "$(last_record .error)" "pre_patch.*t-fail" "with the error it reported"

echo "# transactions killed, recovered by the next command"
rc=0
BPFLP_FAULT=staged "$BPFLP" apply "$(patch_obj t-a@1)" > /dev/null 2>&1 &
dead=$!
wait $dead || rc=$?
assert_eq "$rc" 137 "BPFLP_FAULT=staged kills the apply"
assert_eq "$(records 1)" "apply t-fail@1 failed" "nothing recorded while the transaction is pending"
bpflp_ok list > /dev/null	# rolls it back, as every command does
assert_eq "$(records 1)" "apply t-a@1 rolled_back" "the rollback recorded"
assert_eq "$(last_record "[.pid == $dead, .recovered_by > 1 and .recovered_by != $dead, .duration_us]")" \
	"[true,true,null]" "the dead bpflp's pid, the recovering one's, no duration"
rc=0
BPFLP_FAULT=committed "$BPFLP" apply "$(patch_obj t-a@1)" > /dev/null 2>&1 &
dead=$!
wait $dead || rc=$?
assert_eq "$rc" 137 "BPFLP_FAULT=committed kills the apply after its commit"
assert_match "$(bpflp_ok recover)" "^completed the interrupted apply" "recover completes it"
assert_eq "$(records 1)" "apply t-a@1 rolled_forward" "the roll-forward recorded"
assert_eq "$(last_record ".pid == $dead")" true "with the dead bpflp's pid"
assert_eq "$(active_patches)" "t-a@1" "t-a@1 active"

echo "# --last and plain output"
assert_eq "$("$BPFLP" -j log | jq '.entries | length')" 7 "seven records"
assert_eq "$(records 2 | tr '\n' '|')" "apply t-a@1 rolled_back|apply t-a@1 rolled_forward|" "--last 2: the two most recent, oldest first"
plain=$(bpflp_ok log --last 3)
assert_eq "$(wc -l <<< "$plain")" 4 "plain --last 3: a header and three lines"
assert_match "$(head -n1 <<< "$plain")" "^TIME +OPERATION +PATCH +OUTCOME +DURATION +PID +DETAILS$" "plain header"
assert_match "$(sed -n 3p <<< "$plain")" "apply +t-a@1 +rolled_back +- +[0-9]+ +died; rolled back by pid [0-9]+$" "plain rolled-back line"
rc=0
out=$("$BPFLP" log --last 0 2>&1) || rc=$?
assert_eq "$rc:$out" "1:bpflp: error: bad --last '0': give a whole number from 1 to 1000000" "--last 0 refused in one line"

echo "# four bpflp at once"
for i in 1 2 3 4; do
	"$BPFLP" apply "$(patch_obj t-a@1)" > "$TDIR/par$i.out" 2>&1 &
done
wait
# The lock refuses a second transaction at once: each is unchanged, or failed as busy.
assert_eq "$("$BPFLP" -j log --last 4 | jq -r '.entries[] | select(.outcome != "unchanged" and
	(.outcome != "failed" or (.error | test("another bpflp transaction is running") | not)))')" "" \
	"four records: unchanged, or refused by the lock"
assert_eq "$("$BPFLP" -j log --last 4 | jq '[.entries[].pid] | unique | length')" 4 "one record per bpflp"
assert_eq "$("$BPFLP" -j log | jq -c '[(.entries | length), .skipped]')" "[11,0]" "none lost, none torn"

echo "# a corrupted history"
printf 'garbage\n1\t12\tapply\tBAD\t-\tcommitted\t1\t2\t-\t-\n1\t1764281658' >> "$HISTORY"
rc=0
"$BPFLP" log > "$TDIR/log.out" 2> "$TDIR/log.err" || rc=$?
assert_eq "$rc" 0 "log exits 0 over bad lines"
assert_eq "$(cat "$TDIR/log.err")" "bpflp: warning: skipped 3 lines of $HISTORY that are not history records (edited by hand, or cut short)" "log says how many lines it skipped"
assert_eq "$(($(wc -l < "$TDIR/log.out") - 1))" 11 "plain: the eleven good records still listed"
assert_eq "$("$BPFLP" -j log 2> /dev/null | jq -c '[(.entries | length), .skipped]')" "[11,3]" "-j log: entries and skipped"
head -c 100000 /dev/urandom >> "$HISTORY"
rc=0
"$BPFLP" -j log > "$TDIR/log.json" 2> /dev/null || rc=$?
assert_eq "$rc:$(jq '.entries | length' "$TDIR/log.json")" "0:11" "random bytes appended: log still exits 0 with the 11 records"
: > "$HISTORY"	# the next record starts a clean file

echo "# a history that cannot be written"
BPFLP_STATE_DIR=/usr/lib/bpflp-ro-test "$BPFLP" -j apply --stack "$(patch_obj t-b@1)" > "$TDIR/apply.json" 2> "$TDIR/apply.err" || fail "apply failed when its history could not be written: $(cat "$TDIR/apply.err")"
assert_eq "$(jq -r '"\(.name)@\(.version)"' "$TDIR/apply.json")" t-b@1 "-j stdout: apply's document"
assert_eq "$(wc -l < "$TDIR/apply.err")" 1 "one warning line on stderr"
assert_match "$(cat "$TDIR/apply.err")" "^bpflp: warning: cannot write the transaction history to /usr/lib/bpflp-ro-test/history.log: .*; the transaction is not affected" "the warning names the file"
assert_behaviour "EPERM EPERM ok" "t-a@1 and t-b@1 in effect"
BPFLP_STATE_DIR=/usr/lib/bpflp-ro-test "$BPFLP" disable t-b@1 > /dev/null 2> "$TDIR/disable.err" || fail "disable failed: $(cat "$TDIR/disable.err")"
assert_eq "$(wc -l < "$TDIR/disable.err")" 1 "disable: one warning line"
assert_eq "$("$BPFLP" -j log | jq '.entries | length')" 0 "nothing recorded in the writable history meanwhile"
