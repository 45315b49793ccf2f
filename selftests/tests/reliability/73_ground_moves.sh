#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp stays honest when the ground moves under it (docs/cli.md, "status"
# and "log"):
#  - sysctl kernel.ftrace_enabled=0 takes every trampoline out while every
#    link stays: the patch stops working, and status says so (exit 4, a
#    line naming 'sysctl kernel.ftrace_enabled=1'), list shows it; turned
#    back on, the patch works and status is 0 again;
#  - a shadow's pin deleted by hand (rm shadow/NAME): status exits 2 naming
#    the shadow, recover pins the very map again, status 0;
#  - a FIFO, a directory or a symbolic link where the history goes: apply
#    commits and returns (no wait on the FIFO) with one warning naming
#    what is there, the link's target untouched; log fails with one error
#    line (also for history.log.1) and never hangs.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/../state/lib.bash"
shadow_setup
export BPFLP_STATE_DIR=$TDIR/state
HISTORY=$BPFLP_STATE_DIR/history.log
FTRACE=/proc/sys/kernel/ftrace_enabled

# within SECONDS CMD...: run CMD, which must end before SECONDS (else the test fails); its status in $rc.
within() {
	local secs=$1
	shift
	rc=0
	timeout "$secs" "$@" || rc=$?
	((rc != 124)) || fail "'$*' still ran after ${secs}s"
}

echo "# ftrace_enabled=0"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-a@1"
status_is 0 consistent "with t-a@1 and ftrace on"
if [[ ! -w $FTRACE ]]; then
	echo "  skip: no $FTRACE (a kernel without the function tracer)"
elif ! echo 0 2> "$TDIR/sysctl.err" > "$FTRACE"; then
	# A livepatch (FTRACE_OPS_FL_PERMANENT) makes the sysctl fail with EBUSY.
	echo "  skip: ftrace cannot be turned off here: $(cat "$TDIR/sysctl.err")"
else
	on_exit "echo 1 > $FTRACE"
	assert_behaviour "ok ok ok" "with ftrace off: no trampoline runs, t-a@1 is not in effect"
	status_is 4 unrecoverable "with ftrace off"
	assert_match "$(cat "$TDIR/status.out")" \
		"ftrace is off \(kernel.ftrace_enabled=0\): no trampoline or companion hook runs, so no active patch is in effect; turn it back on with 'sysctl kernel.ftrace_enabled=1'" \
		"plain status names the problem and the fix"
	assert_eq "$("$BPFLP" -j status | jq -c '[.drift[] | [.patch, .repair, (.problem | test("ftrace_enabled=1"))]]')" \
		'[[null,"none",true]]' "-j status: one drift, ftrace, repair none"
	assert_match "$(bpflp_ok list)" "ftrace is off" "list shows it too"
	echo 1 > "$FTRACE" || fail "cannot turn ftrace back on"
	assert_behaviour "EPERM ok ok" "with ftrace on again"
	status_is 0 consistent "with ftrace on again"
fi

echo "# a shadow pin deleted by hand"
assert_match "$(bpflp_ok apply "$(patch_obj t-sh@1)")" "^applied t-sh@1 .*shadow rl created" "apply t-sh@1"
assert_opens 2 "ok ok" "t-sh@1 counts"
map_id=$(shadow_map_id rl)
status_is 0 consistent "with t-sh@1"
rm "$SHADOW/rl"
status_is 2 drift "without the pin of shadow rl"
assert_match "$(cat "$TDIR/status.out")" \
	"t-sh@1: shadow rl: its pin $SHADOW/rl is gone \(the patch's programs still hold the map, entries included\)" \
	"plain status names the shadow and its pin"
assert_eq "$("$BPFLP" -j status | jq -c '[.drift[] | [.patch, .repair]]')" '[["t-sh@1","repin"]]' \
	"-j status: one drift, repin"
bpflp_ok recover > /dev/null
status_is 0 consistent "after recover"
assert_eq "$(shadow_map_id rl)" "$map_id" "recover pinned the very map again"
assert_eq "$(shadow_values rl)" '[{"opens":2}]' "its entries kept"

echo "# the history is not a regular file"
rm -f "$HISTORY" "$HISTORY.1"	# what the transactions above recorded
mkfifo "$HISTORY"
within 120 "$BPFLP" apply "$(patch_obj t-a@1)" > "$TDIR/apply.out" 2> "$TDIR/apply.err"
assert_eq "$rc" 0 "apply with a FIFO for the history"
assert_eq "$(active_patches)" "t-a@1" "the apply committed"
assert_eq "$(cat "$TDIR/apply.err")" \
	"bpflp: warning: cannot write the transaction history to $HISTORY: it is a FIFO, not a regular file; the transaction is not affected (remove it: bpflp creates the file again)" \
	"apply: one warning naming the FIFO"
want="bpflp: error: the history $HISTORY is a FIFO, not a regular file: remove it (bpflp writes a new one at the next transaction)"
within 60 "$BPFLP" log > "$TDIR/log.out" 2> "$TDIR/log.err"
assert_eq "$rc:$(cat "$TDIR/log.out")" "1:" "log with a FIFO: exit 1, nothing on stdout"
assert_eq "$(cat "$TDIR/log.err")" "$want" "log with a FIFO: one error line"
within 60 "$BPFLP" -j log > "$TDIR/log.out" 2> "$TDIR/log.err"
assert_eq "$rc:$(jq -r .error "$TDIR/log.out"):$(cat "$TDIR/log.err")" "1:${want#bpflp: error: }:" "-j log with a FIFO"
rm "$HISTORY"

mkdir "$HISTORY"
within 120 "$BPFLP" apply "$(patch_obj t-b@1)" > /dev/null 2> "$TDIR/apply.err"
assert_eq "$rc:$(active_patches)" "0:t-b@1" "apply with a directory for the history"
assert_eq "$(grep -c . "$TDIR/apply.err")" 1 "apply with a directory: one line on stderr"
assert_match "$(cat "$TDIR/apply.err")" "^bpflp: warning: cannot write the transaction history to $HISTORY: it is a directory, not a regular file" \
	"apply: the warning names the directory"
within 60 "$BPFLP" log > /dev/null 2> "$TDIR/log.err"
assert_eq "$rc:$(cat "$TDIR/log.err")" \
	"1:bpflp: error: the history $HISTORY is a directory, not a regular file: remove it (bpflp writes a new one at the next transaction)" \
	"log with a directory: exit 1, one error line"
rmdir "$HISTORY"

ln -s "$TDIR/elsewhere" "$HISTORY"
within 120 "$BPFLP" apply "$(patch_obj t-a@1)" > /dev/null 2> "$TDIR/apply.err"
assert_eq "$rc:$(active_patches)" "0:t-a@1" "apply with a symbolic link for the history"
assert_eq "$(grep -c . "$TDIR/apply.err")" 1 "apply with a symbolic link: one line on stderr"
assert_match "$(cat "$TDIR/apply.err")" "it is a symbolic link, not a regular file" "apply: the warning names the link"
[[ ! -e $TDIR/elsewhere ]] || fail "the link was followed: $TDIR/elsewhere was written"
rm "$HISTORY"

mkfifo "$HISTORY.1"
within 60 "$BPFLP" log > /dev/null 2> "$TDIR/log.err"
assert_eq "$rc:$(cat "$TDIR/log.err")" \
	"1:bpflp: error: the history $HISTORY.1 is a FIFO, not a regular file: remove it (bpflp writes a new one at the next transaction)" \
	"log with a FIFO for history.log.1"
rm "$HISTORY.1"

bpflp_ok disable t-a@1 > /dev/null
assert_eq "$("$BPFLP" -j log | jq -r '.entries[] | "\(.operation) \(.patch) \(.outcome)"')" "disable t-a@1 committed" \
	"a regular file again: the next transaction is recorded"
