#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp dies at every step of a transaction (BPFLP_FAULT=step: it SIGKILLs
# itself there), then `bpflp recover` runs. Afterwards exactly the patch
# set from before or the one from after the transaction is in effect
# (syscall outcomes, `bpflp list`, the commit word, traced functions), the
# bpffs tree is exactly the one a clean run leaves on that side, no journal
# remains and no BPF object leaked. Transactions: replace (gap@1 -> gap@2),
# stack (gap-sb@1 --stack over gap@1, other functions), the first apply
# ever (no state tree yet) and disable. Then bpflp apply is SIGKILLed from
# outside at random moments, with the same checks after each recover.
#
# Takes 2-6 min in the TCG VM depending on host load: run-tests.sh -t 600.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/reliability_lib.bash"
rel_setup

V1=$(patch_obj gap_v1)
V2=$(patch_obj gap_v2)
SB=$(patch_obj gap_sb)
APPLY_STEPS="begin staging attach-drop attach-prog attach-take staged commit committed post-callback detach-old end"
DISABLE_STEPS="begin commit committed post-callback detach-old end"
# Steps at or before these the commit word still holds the old set.
PRE_COMMIT_STEPS=" begin staging attach-drop attach-prog attach-take staged commit "
RANDOM_KILLS=${RANDOM_KILLS:-24}

faults=0 kills=0 not_reached=0 expected_faults=0

setup_empty() { rel_reset; }
setup_v1() {
	rel_reset
	"$BPFLP" apply "$V1" > /dev/null || fail "setup: bpflp apply gap_v1 failed"
}
# v2 replaced v1, so re-applying v1 (a downgrade) takes over v1's old record.
setup_v1_v2() {
	setup_v1
	"$BPFLP" apply "$V2" > /dev/null || fail "setup: bpflp apply gap_v2 failed"
}

# violation WHAT: count an invariant violation that check_state did not see.
violation() {
	echo "  FAIL: $*" >&2
	REL_VIOLATIONS=$((REL_VIOLATIONS + 1))
}

# scenario NAME SETUP PRE POST "STEPS REACHED" OP ARGS...: a clean run of
# bpflp OP ARGS after SETUP records the trees of both sides; then for every
# step of the verb, SETUP again, make bpflp die there, recover, and check.
scenario() {
	local name=$1 setup=$2 pre=$3 post=$4 reached=" $5 " steps rc out action
	expected_faults=$((expected_faults + $(wc -w <<< "$5")))
	local pre_tree post_tree tree want want_tree want_action step at_pre=0 t0
	shift 5
	[[ $1 == disable ]] && steps=$DISABLE_STEPS || steps=$APPLY_STEPS

	echo "# $name: bpflp $* ('$pre' -> '$post')"
	$setup
	assert_state "$pre" "$name: before a clean run"
	pre_tree=$(bpffs_tree)
	t0=$(date +%s%N)
	assert_ok "$BPFLP" "$@" > /dev/null
	CLEAN_MS=$((($(date +%s%N) - t0) / 1000000))
	echo "  clean run: ${CLEAN_MS} ms"
	assert_state "$post" "$name: after a clean run"
	post_tree=$(bpffs_tree)

	local start=$SECONDS
	for step in $steps; do
		# A checked rollback left exactly the set-up's state: no need to redo it.
		if ((!at_pre)); then
			$setup
			[[ $(bpffs_tree) == "$pre_tree" ]] || fail "$name: set-up for $step differs from the clean run's"
		fi
		at_pre=0
		rc=0
		# In a subshell, so bash's "Killed" notice goes to /dev/null too.
		(BPFLP_FAULT=$step "$BPFLP" "$@" > /dev/null 2>&1; exit $?) 2> /dev/null || rc=$?
		if [[ $reached != *" $step "* ]]; then
			# The verb does not pass this step here: it must just succeed.
			((rc == 0)) || violation "$name: $step is not on this path, yet bpflp exited $rc"
			check_state "$post" "$name: $step (not reached)" || true
			not_reached=$((not_reached + 1))
			continue
		fi
		((rc == 137)) || { violation "$name: BPFLP_FAULT=$step: exit $rc, want 137 (SIGKILL)"; continue; }
		faults=$((faults + 1))
		if [[ $PRE_COMMIT_STEPS == *" $step "* ]]; then
			want=$pre want_tree=$pre_tree want_action=rolled_back
		else
			want=$post want_tree=$post_tree want_action=completed
		fi
		out=$("$BPFLP" -j recover) || { violation "$name: $step: bpflp recover failed"; continue; }
		action=$(jq -r .action <<< "$out")
		[[ $action == "$want_action" ]] || violation "$name: $step: recover did '$action', want '$want_action'"
		check_state "$want" "$name: fault at $step, recovered" || continue
		tree=$(bpffs_tree)
		if [[ $tree != "$want_tree" ]]; then
			violation "$name: $step: bpffs tree after recover differs from the clean run's ($want_action side):"
			echo "$want_tree" > "$TDIR/want_tree"
			echo "$tree" > "$TDIR/tree"
			diff "$TDIR/want_tree" "$TDIR/tree" | sed 's/^/    /' >&2
			continue
		fi
		if [[ $name == first-apply && $want_action == rolled_back && -e $STORE ]]; then
			violation "$name: $step: $STORE still exists after the rollback"
			continue
		fi
		echo "  ok: fault at $step -> $want_action, '$want'"
		[[ $want_action == rolled_back ]] && at_pre=1
	done
	echo "  $name took $((SECONDS - start))s"
}

SECONDS=0
scenario replace setup_v1 "gap@1" "gap@2" "$APPLY_STEPS" apply "$V2"
CLEAN_MS_REPLACE=$CLEAN_MS
scenario stack setup_v1 "gap@1" "gap-sb@1 gap@1" \
	"begin staging attach-drop attach-prog attach-take staged commit committed post-callback end" \
	apply "$SB" --stack
scenario first-apply setup_empty "" "gap@1" \
	"begin staging attach-drop attach-prog attach-take staged commit committed post-callback end" \
	apply "$V1"
scenario downgrade setup_v1_v2 "gap@2" "gap@1" "$APPLY_STEPS" apply "$V1"
scenario disable setup_v1 "gap@1" "" "$DISABLE_STEPS" disable gap

# SIGKILL from outside. Each round replaces whichever version is active by
# the other and kills bpflp: odd rounds after a random delay from the start,
# 0-600 ms or up to 1.2 times a clean replace (measured above) when that is
# longer, as the TCG VM is slow; even rounds 0-100 ms after the journal
# appeared, so that kills land inside the transaction too and not only
# while the object loads.
max_delay=$((CLEAN_MS_REPLACE * 12 / 10))
((max_delay > 600)) || max_delay=600
SECONDS=0
echo "# random kills: $RANDOM_KILLS rounds, delays 0-$max_delay ms from the start or 0-100 ms into the transaction"
# Sleep with read -t on a fifo that never has data: no exec, no 100 ms jitter.
mkfifo "$TDIR/never"
exec 9<> "$TDIR/never"
pause_ms() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u 9 || true; }
setup_v1
cur="gap@1"
declare -A outcome=()
for ((i = 1; i <= RANDOM_KILLS; i++)); do
	[[ $cur == gap@1 ]] && next=gap@2 obj=$V2 || next=gap@1 obj=$V1
	"$BPFLP" apply "$obj" > /dev/null 2>&1 &
	pid=$!
	if ((i % 2)); then
		delay=$((RANDOM % (max_delay + 1)))
		how="${delay} ms after the start"
	else
		while [[ ! -e $STORE/journal ]] && kill -0 "$pid" 2> /dev/null; do :; done
		delay=$((RANDOM % 101))
		how="${delay} ms after the journal appeared"
	fi
	pause_ms "$delay"
	kill -KILL "$pid" 2> /dev/null
	rc=0
	{ wait "$pid"; } 2> /dev/null || rc=$?
	kills=$((kills + 1))
	out=$("$BPFLP" -j recover) || { violation "kill $i: bpflp recover failed"; continue; }
	action=$(jq -r .action <<< "$out")
	got=$(active_set "$(bpflp_list)")
	if [[ $got != "$cur" && $got != "$next" ]]; then
		violation "kill $i ($how, exit $rc, recover: $action): active '$got', want '$cur' or '$next'"
		check_state "$next" "kill $i" || true
		break
	fi
	check_state "$got" "kill $i $how (exit $rc, recover: $action)" || true
	((rc == 137)) && key="killed, then recover: $action" || key="finished first (exit $rc), then recover: $action"
	outcome[$key]=$((${outcome[$key]:-0} + 1))
	cur=$got
done
for key in "${!outcome[@]}"; do
	echo "  random kills $key: ${outcome[$key]}"
done | sort
echo "  random kills took ${SECONDS}s"

echo "faults injected: $faults, random kills: $kills, leaks: $REL_LEAKS, invariant violations: $REL_VIOLATIONS"
echo "(steps a path does not reach, run to completion: $not_reached; state checks retried: $REL_RETRIES)"
((REL_LEAKS == 0 && REL_VIOLATIONS == 0)) || fail "leaks or invariant violations (see above)"
((faults == expected_faults)) ||
	fail "faults injected: $faults, want $expected_faults (every step of every scenario)"
