#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Two bpflp runs race, held at chosen points with BPFLP_PAUSE=STEP (bpflp
# stops itself there until SIGCONT), so each interleaving is deterministic:
#  1. first-ever applies: B has made the state tree and is about to take the
#     lock when A takes it and stages gap@1. B is refused and must leave
#     everything alone; A then finishes, and gap@1 can be disabled.
#  2. B waits at the lock while A's first apply fails (pre_patch) and
#     removes the tree it created: B must notice that it locked a removed
#     directory and start over on a new tree, and apply.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib.bash"
rel_setup

V1=$(patch_obj gap@1)
V2=$(patch_obj gap@2)
FAIL=$(patch_obj t-fail@1)	# its pre_patch callback refuses
on_exit "rm -f /sys/fs/bpf/bpflp_t_cblog"

# start_paused NAME STEP ARGS...: run bpflp ARGS in the background, stopped
# at STEP; sets NAME_pid. Output goes to $TDIR/NAME.out.
start_paused() {
	local name=$1 step=$2 pid
	shift 2
	BPFLP_PAUSE=$step "$BPFLP" "$@" > "$TDIR/$name.out" 2>&1 &
	pid=$!
	on_exit "kill -KILL $pid 2>/dev/null"
	printf -v "${name}_pid" %s "$pid"
	stopped() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == T ]]; }
	wait_for 60 stopped "$pid" || fail "bpflp $* never stopped at $step: $(cat "$TDIR/$name.out")"
	echo "  ok: bpflp $* held at $step"
}

# finish NAME: let NAME go on and wait for it; its exit status in $rc.
finish() {
	local pid_var=${1}_pid
	kill -CONT "${!pid_var}"
	rc=0
	wait "${!pid_var}" || rc=$?
}

echo "# 1. a refused first apply leaves the winner's new tree alone"
rel_reset
start_paused b lock-wait apply "$V2"
start_paused a staged apply "$V1"
finish b
assert_eq "$rc" 1 "exit status of the refused apply"
assert_match "$(cat "$TDIR/b.out")" "another bpflp transaction is running" "refused apply's message"
for pin in bpflp_state bpflp_cover bpflp_snap journal patches/gap@1/meta; do
	[[ -e $STORE/$pin ]] || fail "the refused apply removed $STORE/$pin"
done
echo "  ok: shared maps, journal and the staged record are still there"
finish a
assert_eq "$rc" 0 "exit status of the winning apply"
assert_state "gap@1" "after both applies"
assert_ok "$BPFLP" disable gap > /dev/null
assert_state "" "after disabling the winner's patch"

echo "# 2. a failed first apply removes its tree under a waiting apply"
rel_reset
start_paused a locked apply "$FAIL"
start_paused b lock-wait apply "$V1"
finish a
assert_eq "$rc" 1 "exit status of the apply whose pre_patch refuses"
[[ ! -e $STORE ]] || fail "the failed first apply left $STORE behind"
echo "  ok: the failed first apply removed the tree it created"
finish b
assert_eq "$rc" 0 "exit status of the apply that waited at the lock"
assert_state "gap@1" "after the waiting apply"
