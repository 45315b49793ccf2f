# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the reliability tests (selftests/tests/reliability/) and the
# zero-gap and fault tests of other areas: source it after lib.sh and call
# rel_setup first.
#
# The patches (gap.bpf.h beside this file) deny syscalls on files whose
# name starts with a prefix, with an errno per patch:
#   gap@1     open of bpflp-gap*  -> EPERM   (security_file_open)
#   gap@2     open of bpflp-gap*  -> EACCES  (security_file_open)
#   gap-sb@1  mkdir, unlink of bpflp-gsb* -> EACCES
#             (security_inode_mkdir, security_inode_unlink)
# A "patch set" below is the sorted, space-separated NAME@VERSION list of
# the active patches ("" for none).

STORE=/sys/fs/bpf/bpflp
TRACING=/sys/kernel/tracing

# rel_reset: remove bpflp's whole state tree; unpinning detaches every link.
# The companion module keeps running what it was given: the next bpflp
# transaction detaches what no record pins (here: all) and unloads it.
rel_reset() {
	rm -rf "$STORE"
	[[ ! -e /sys/module/bpflp_companion ]] || "$BPFLP" recover > /dev/null 2>&1 || true
}

# rel_setup: skip where the kernel cannot run patches; start from no state
# tree, clean up at exit; create the target and control files in $TDIR;
# record which BPF objects and traced functions exist before the test.
rel_setup() {
	require_root
	BPFLP=$(build_path bpflp)
	HAMMER=$(build_path selftests/helpers/gap_hammer)
	command -v bpftool > /dev/null || skip "bpftool not installed"
	command -v jq > /dev/null || skip "jq not installed"
	require_patchable gap@1
	TDIR=$(mktemp -d /tmp/bpflp-rel.XXXXXX)
	on_exit "rm -rf '$TDIR'"
	TARGET_OPEN=$TDIR/bpflp-gap-file
	TARGET_MKDIR=$TDIR/bpflp-gsb-dir
	TARGET_UNLINK=$TDIR/bpflp-gsb-unlink
	CONTROL_OPEN=$TDIR/other-file
	CONTROL_MKDIR=$TDIR/other-dir
	CONTROL_UNLINK=$TDIR/other-unlink
	: > "$TARGET_OPEN"
	: > "$CONTROL_OPEN"
	rel_reset
	on_exit rel_reset
	BASELINE=$(jq -n -c --argjson l "$(bpftool -j link list)" --argjson p "$(bpftool -j prog list)" \
		--argjson m "$(bpftool -j map list)" '{links: [$l[].id], progs: [$p[].id], maps: [$m[].id]}')
	BASE_TRACED=$(awk '/^[^[:space:]]/ { printf "%s ", $1 }' "$TRACING/enabled_functions")
}

# ---- expectations ---------------------------------------------------------
# In the TCG VM every exec costs 100+ ms, so the checks below use bash
# builtins where they can and one process per kind of observation.

# set_expect SET: EXPECT_BEHAVIOUR, the "OPEN MKDIR UNLINK" outcomes SET
# produces, EXPECT_FUNCTIONS, the kernel functions it patches, and
# EXPECT_MODULE, whether the companion module must be loaded (only then).
set_expect() {
	local open=ok dir=ok p
	EXPECT_FUNCTIONS=""
	EXPECT_MODULE=no
	for p in $1; do
		case $p in
		gap@1) open=EPERM EXPECT_FUNCTIONS+=" security_file_open" ;;
		gap@2) open=EACCES EXPECT_FUNCTIONS+=" security_file_open" ;;
		gapc@1) open=EPERM EXPECT_FUNCTIONS+=" vfs_open" EXPECT_MODULE=yes ;;
		gapc@2) open=EACCES EXPECT_FUNCTIONS+=" vfs_open" EXPECT_MODULE=yes ;;
		gap-sb@1) dir=EACCES EXPECT_FUNCTIONS+=" security_inode_mkdir security_inode_unlink" ;;
		*) fail "set_expect: unknown patch $p" ;;
		esac
	done
	EXPECT_BEHAVIOUR="$open $dir $dir"
}

# ---- observations ---------------------------------------------------------

# behaviour: "OPEN MKDIR UNLINK" outcomes on the targets, then "| CONTROLS"
# unless the control paths all succeeded (they must, whatever is active).
behaviour() {
	local out
	out=$("$HAMMER" probe open "$TARGET_OPEN" mkdir "$TARGET_MKDIR" unlink "$TARGET_UNLINK" \
		open "$CONTROL_OPEN" mkdir "$CONTROL_MKDIR" unlink "$CONTROL_UNLINK") || return
	read -r a b c d e f <<< "$out"
	[[ "$d $e $f" == "ok ok ok" ]] && echo "$a $b $c" || echo "$a $b $c | controls: $d $e $f"
}

# bpflp_list: `bpflp -j list` ({"commit_word":0,"patches":[]} without a state tree).
bpflp_list() { "$BPFLP" -j list; }

# active_set LIST_JSON: the patch set the records call active.
active_set() {
	jq -r '[.patches[] | select(.state == "active") | "\(.name)@\(.version)"] | sort | join(" ")' <<< "$1"
}

# traced_problems WANT: a line if the functions carrying an ftrace hook (a
# trampoline; beyond those traced before the test) are not exactly WANT.
traced_problems() {
	awk -v base="$BASE_TRACED" -v want="$1" '
		BEGIN {
			n = split(base, a, " "); for (i = 1; i <= n; i++) old[a[i]] = 1
			n = split(want, a, " "); for (i = 1; i <= n; i++) wanted[a[i]] = 1
		}
		/^[^[:space:]]/ && !($1 in old) { got[$1] = 1 }
		END {
			for (f in got) if (!(f in wanted)) extra = extra " " f
			for (f in wanted) if (!(f in got)) missing = missing " " f
			if (extra != "" || missing != "")
				print "traced functions: unexpected:" extra "; missing:" missing
		}' "$TRACING/enabled_functions"
}

# bpffs_tree: every path in bpffs with its mode.
bpffs_tree() { find /sys/fs/bpf -printf '%p %m\n' | sort; }

# The state checks that read bpflp's records and the kernel's BPF objects
# (bpftool -f: with pinned paths), in one jq run. Prints one line per problem.
# Leaks: a link not pinned under $store, a prog neither pinned there nor the
# prog of such a link, a map neither pinned there nor used by such a prog.
REL_JQ_STATE='
	def pinned_here: (.pinned // []) | any(startswith($store));
	def member($set): . as $x | $set | any(. == $x);
	([$list.patches[] | select(.state == "active") | "\(.name)@\(.version)"] | sort | join(" "))
		as $active
	| ([$list.patches[] | select(.state == "active") | pow(2; .slot)] | add // 0) as $word
	| [$links[] | select(pinned_here)] as $ok_links
	| ([$progs[] | select(pinned_here) | .id] + [$ok_links[].prog_id]) as $ok_progs
	| ([$maps[] | select(pinned_here) | .id]
	   + [$progs[] | select(.id | member($ok_progs)) | (.map_ids // [])[]]) as $ok_maps
	| (if $active != $set then "active records \"\($active)\", want \"\($set)\"" else empty end),
	  (if $list.commit_word != $word then
		"commit word \($list.commit_word), the active records make \($word)" else empty end),
	  ($list.patches[] | select(.state == "staged") | "record \(.name)@\(.version) is still staged"),
	  ([$links[], $progs[], $maps[] | (.pinned // [])[] | select(startswith($store + "patches/"))
	    | ltrimstr($store + "patches/") | split("/")
	    | select(.[1] != "meta" and (.[0] | member($active | split(" "))) == false)
	    | "\(.[0]) is not active but still pins \(.[1])"] | unique[]),
	  ($links[] | select((.id | member($base.links)) or pinned_here | not)
	   | "link \(.id) (\(.type), prog \(.prog_id)) is not pinned under \($store)"),
	  ($progs[] | select((.id | member($base.progs)) or (.id | member($ok_progs)) | not)
	   | "prog \(.id) (\(.type) \(.name // "")) is neither pinned nor attached by bpflp"),
	  ($maps[] | select((.id | member($base.maps)) or (.id | member($ok_maps)) | not)
	   | "map \(.id) (\(.type) \(.name // "")) is neither pinned nor used by a bpflp prog")'

# state_problems SET: one line per way the system is not exactly in SET.
state_problems() {
	local set=$1 list links progs maps dir got
	set_expect "$set"
	[[ -e $STORE/journal ]] && echo "journal $STORE/journal remains"
	for dir in "$STORE"/patches/*; do
		[[ -d $dir && ! -e $dir/meta ]] && echo "$dir has no meta"
	done
	got=$(behaviour)
	[[ $got == "$EXPECT_BEHAVIOUR" ]] || echo "behaviour '$got', want '$EXPECT_BEHAVIOUR'"
	list=$(bpflp_list) || { echo "bpflp list failed"; return; }
	links=$(bpftool -f -j link list) && progs=$(bpftool -f -j prog list) &&
		maps=$(bpftool -f -j map list) || { echo "bpftool failed"; return; }
	jq -n -r --argjson list "$list" --argjson links "$links" --argjson progs "$progs" \
		--argjson maps "$maps" --argjson base "$BASELINE" --arg store "$STORE/" \
		--arg set "$set" "$REL_JQ_STATE" || echo "jq failed"
	traced_problems "$EXPECT_FUNCTIONS"
	got=no
	[[ -e /sys/module/bpflp_companion ]] && got=yes
	[[ $got == "$EXPECT_MODULE" ]] || echo "companion module loaded: $got, want $EXPECT_MODULE"
}

# check_state SET WHAT: the system is exactly in SET, retried for 5 s. On
# failure prints why, counts REL_LEAKS (objects) and REL_VIOLATIONS (other
# problems), and returns 1; the caller decides whether to go on.
REL_LEAKS=0
REL_VIOLATIONS=0
REL_RETRIES=0
check_state() {
	local problems tries=25 nr_leaks
	# Unpinning frees objects after an RCU grace period: allow for it.
	while problems=$(state_problems "$1") && [[ -n $problems ]] && ((--tries > 0)); do
		REL_RETRIES=$((REL_RETRIES + 1))
		sleep 0.2
	done
	[[ -z $problems ]] && return 0
	echo "  FAIL: $2: not exactly in patch set '$1':" >&2
	sed 's/^/    /' <<< "$problems" >&2
	nr_leaks=$(grep -cE '^(link|prog|map) ' <<< "$problems")
	REL_LEAKS=$((REL_LEAKS + nr_leaks))
	((nr_leaks == $(wc -l <<< "$problems"))) || REL_VIOLATIONS=$((REL_VIOLATIONS + 1))
	return 1
}

# assert_state SET WHAT: check_state, and end the test if it fails.
assert_state() { check_state "$@" || fail "$2"; }

# ---- zero-gap stress (3*_zero_gap_*.sh) ------------------------------------

# gap_stress MODE STEPS MIN_CHECKED ARGS...: gap_hammer MODE with
# $GAP_HAMMERS (default 4) hammers on $TDIR/bpflp-gap-target for STEPS
# transactions (selftests/helpers/gap_hammer.c: ARGS are the objects and
# names the mode takes). Fails the test on any mismatch (a call that ran
# unpatched, or saw an older patch after a transaction returned), fewer
# than STEPS transactions, fewer than MIN_CHECKED calls checked exactly, or
# a WARNING/BUG/Oops in the kernel log. Sets GAP_CALLS, the calls made.
gap_stress() {
	local mode=$1 steps=$2 min_checked=$3 out rc=0 marker checked
	shift 3
	[[ -e $TDIR/bpflp-gap-target ]] || : > "$TDIR/bpflp-gap-target"
	marker=$(kernel_log_mark)
	out=$("$HAMMER" "$mode" "$TDIR/shared" "$TDIR/bpflp-gap-target" "${GAP_HAMMERS:-4}" "$steps" \
		"$BPFLP" "$@") || rc=$?
	echo "$out" | sed 's/^/  /'
	((rc == 0)) || fail "gap_hammer $mode exited $rc (see above)"
	[[ $out =~ calls\ checked:\ ([0-9]+),\ calls\ total:\ ([0-9]+),\ cycles:\ ([0-9]+),\ mismatches:\ ([0-9]+) ]] ||
		fail "cannot parse gap_hammer's summary"
	checked=${BASH_REMATCH[1]} GAP_CALLS=${BASH_REMATCH[2]}
	assert_eq "${BASH_REMATCH[4]}" 0 "mismatches"
	assert_eq "${BASH_REMATCH[3]}" "$steps" "transactions"
	((checked >= min_checked)) || fail "only $checked calls checked exactly, want at least $min_checked"
	echo "  calls checked: $checked of $GAP_CALLS (>= $min_checked)"
	assert_kernel_log_clean "$marker"
}

# require_single_tcg: skip unless the VM runs single-threaded TCG.
# Multi-threaded TCG (qemu's default for -smp 2) livelocks when a CPU runs
# a function while another live-patches its ftrace site (text_poke_bp): the
# CPU re-executes a stale int3 forever and the VM wedges. It happens with a
# plain ftrace tracer too, without BPF. Single-threaded TCG is fine.
require_single_tcg() {
	[[ ${BPFLP_VM:-} == 1 && ${BPFLP_VM_TCG_THREAD:-} != single ]] &&
		skip "needs the VM on single-threaded TCG (-accel tcg,thread=single, exported as BPFLP_VM_TCG_THREAD=single): multi-threaded TCG wedges under concurrent text_poke"
	return 0
}

# ---- fault injection (30_fault_injection.sh, 62_companion_faults.sh) ------
# The test sets APPLY_STEPS, DISABLE_STEPS, PRE_COMMIT_STEPS (steps at or
# before which the commit word still holds the old set) and AFTER_END_STEPS
# (after the journal is removed) before scenario.

faults=0 kills=0 not_reached=0 expected_faults=0

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
		elif [[ ${AFTER_END_STEPS:-} == *" $step "* ]]; then
			# The journal is gone: recover finds nothing to finish, and only tidies.
			want=$post want_tree=$post_tree want_action=none
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

# SIGKILL from outside. Each round replaces whichever version is active by
# the other and kills bpflp: odd rounds after a random delay from the start,
# 0-600 ms or up to 1.2 times a clean replace (measured above) when that is
# longer, as the TCG VM is slow; even rounds 0-100 ms after the journal
# appeared, so that kills land inside the transaction too and not only
# while the object loads.
#
# random_kills CLEAN_MS NAME1 OBJ1 NAME2 OBJ2: from a fresh state with NAME1
# applied, RANDOM_KILLS rounds as above; counts kills and violations.
random_kills() {
	local clean_ms=$1 name1=$2 obj1=$3 name2=$4 obj2=$5 max_delay i pid delay how rc out action got cur next obj key
	declare -A outcome=()
	max_delay=$((clean_ms * 12 / 10))
	((max_delay > 600)) || max_delay=600
	SECONDS=0
	echo "# random kills: $RANDOM_KILLS rounds, delays 0-$max_delay ms from the start or 0-100 ms into the transaction"
	# Sleep with read -t on a fifo that never has data: no exec, no 100 ms jitter.
	[[ -p $TDIR/never ]] || mkfifo "$TDIR/never"
	exec 9<> "$TDIR/never"
	pause_ms() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u 9 || true; }
	rel_reset
	"$BPFLP" apply "$obj1" > /dev/null || fail "random kills: bpflp apply $obj1 failed"
	cur=$name1
	for ((i = 1; i <= RANDOM_KILLS; i++)); do
		[[ $cur == "$name1" ]] && next=$name2 obj=$obj2 || next=$name1 obj=$obj1
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
}
