#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp show NAME --watch [SECONDS] [--count N] (docs/cli.md, "show"):
#  - -j: one show document per refresh, one per line, --count of them,
#    the counts following the calls made meanwhile;
#  - plain: the table again at each refresh;
#  - SIGTERM and SIGINT end it with status 0 and whole documents;
#  - the patch disabled by another bpflp while watched: one error line
#    (one error document with -j) and status 1;
#  - bad --watch/--count values: one error line each, nothing run.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
lines() { grep -c . "$1" 2> /dev/null || true; }

out=$(bpflp_ok -j show t-a --watch 0.2 --count 3)
assert_eq "$(wc -l <<< "$out")" 3 "-j --count 3: three lines"
assert_eq "$(jq -r '"\(.name)@\(.version) \(.functions | length)"' <<< "$out" | sort -u)" "t-a@1 1" \
	"each line a whole show document of t-a@1"

echo "# the counts follow the calls"
# 10 s between the two refreshes: the three opens fit in it however slow the VM.
"$BPFLP" -j show t-a --watch 10 --count 2 > "$TDIR/watch.json" 2> "$TDIR/watch.err" &
watcher=$!
on_exit "kill -KILL $watcher 2>/dev/null"
has_lines() { (($(lines "$1") >= $2)); }
wait_for 30 has_lines "$TDIR/watch.json" 1 || fail "no first refresh: $(cat "$TDIR/watch.err")"
for i in 1 2 3; do "$PROBE" open "$TARGET_OPEN" > /dev/null; done
wait $watcher || fail "watch --count 2 failed: $(cat "$TDIR/watch.err")"
assert_eq "$(lines "$TDIR/watch.json")" 2 "two refreshes"
assert_eq "$(jq -s '(.[1].functions[0].overrides - .[0].functions[0].overrides) >= 3 and
	(.[1].functions[0].calls - .[0].functions[0].calls) >= 3' "$TDIR/watch.json")" true \
	"the second refresh counts the three denied opens made between them"

echo "# plain"
out=$(bpflp_ok show t-a --watch 0.2 --count 2)
assert_eq "$(grep -c '^  FUNCTION ' <<< "$out")" 2 "plain: the table twice"
assert_eq "$(grep -c '^t-a@1: active' <<< "$out")" 2 "plain: the header twice"

echo "# SIGTERM and SIGINT"
for sig in TERM INT; do
	"$BPFLP" -j show t-a --watch 0.2 > "$TDIR/sig.json" 2> "$TDIR/sig.err" &
	watcher=$!
	wait_for 30 has_lines "$TDIR/sig.json" 2 || fail "SIG$sig: no refreshes"
	kill -$sig $watcher
	rc=0
	wait $watcher || rc=$?
	assert_eq "$rc" 0 "SIG$sig: exit status 0"
	assert_eq "$(jq -r .name "$TDIR/sig.json" | sort -u)" t-a "SIG$sig: every line a whole document"
	assert_eq "$(cat "$TDIR/sig.err")" "" "SIG$sig: nothing on stderr"
done

echo "# the patch disabled while watched"
for mode in json plain; do
	bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
	opt=(); [[ $mode == json ]] && opt=(-j)
	"$BPFLP" "${opt[@]}" show t-a --watch 0.2 > "$TDIR/gone.out" 2> "$TDIR/gone.err" &
	watcher=$!
	wait_for 30 has_lines "$TDIR/gone.out" 1 || fail "$mode: no first refresh"
	bpflp_ok disable t-a@1 > /dev/null
	rc=0
	wait $watcher || rc=$?
	assert_eq "$rc" 1 "$mode: exit status 1 when the patch is disabled"
	msg="t-a@1 is disabled now, no longer active, while watching: see 'bpflp log'"
	if [[ $mode == json ]]; then
		assert_eq "$(tail -n1 "$TDIR/gone.out")" "{\"error\":\"$msg\"}" "json: the last line is the one error document"
		assert_eq "$(head -n -1 "$TDIR/gone.out" | jq -r .state | sort -u)" active "json: the lines before it are show documents"
		assert_eq "$(cat "$TDIR/gone.err")" "" "json: nothing on stderr"
	else
		assert_eq "$(cat "$TDIR/gone.err")" "bpflp: error: $msg" "plain: one error line"
	fi
done

echo "# bad input"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
for bad in "--count 2|--count counts the refreshes of --watch" "--watch 0|bad --watch '0'" \
	"--watch 1 --count 0|bad --count '0'" "--watch 1 x|show takes one patch" \
	"--watch=abc|bad --watch 'abc'" "--watch 1e3|show takes one patch"; do
	args=${bad%%|*} want=${bad#*|}
	rc=0
	# shellcheck disable=SC2086 # the words of args
	out=$("$BPFLP" show t-a $args 2> "$TDIR/bad.err") || rc=$?
	assert_eq "$rc:$out:$(lines "$TDIR/bad.err")" "1::1" "show t-a $args: exit 1, one error line, no output"
	assert_match "$(cat "$TDIR/bad.err")" "^bpflp: error: $want" "show t-a $args: names the problem"
done
