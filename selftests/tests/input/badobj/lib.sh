# SPDX-License-Identifier: GPL-2.0
# Helpers for the bad-input tests (selftests/tests/input/4*_*.sh), sourced after
# selftests/lib.sh. A refused bpflp run must: exit non-zero, print exactly one
# line "bpflp: error: ..." on stderr naming the problem (or, with -j, one
# {"error": ...} document on stdout and nothing on stderr), print nothing on
# stdout, and leave the kernel exactly as it found it (see state_snapshot).
#
# Failures are counted, not fatal, so one run reports every broken case;
# badobj_summary prints the figure line and sets the exit status.

BPFLP=$(build_path bpflp)
BADOBJ=$BPFLP_BUILD/selftests/tests/input/badobj
STORE=/sys/fs/bpf/bpflp

badobj_tried=0		# refused-run cases checked
badobj_changes=0	# cases after which the state differed
badobj_failures=()	# one line per failed case

# badobj_require: the objects of selftests/tests/input/badobj/badobj.mk, and the tools.
badobj_require() {
	local tool
	for tool in bpftool jq setpriv; do
		command -v "$tool" > /dev/null || fail "$tool is not installed"
	done
	[[ -f $BADOBJ/dup-target.bpf.o ]] ||
		fail "no bad objects in $BADOBJ: run 'make -f Makefile -f selftests/tests/input/badobj/badobj.mk badobj'"
	[[ -d /sys/kernel/tracing ]] || fail "tracefs is not mounted at /sys/kernel/tracing"
}

# state_snapshot: everything a refused bpflp run must leave as it was: the
# bpffs tree with modes and owners; every live program, map and link (ids of
# objects a failed run loaded and freed again do not matter, the sets do);
# the functions ftrace patches; the contents of bpflp's commit word, cover
# map and patch records (counters, the per-task snapshot map and the
# commit word's transaction counter, epoch, change with any activity, a
# refused transaction included, and are left out); and where a patch name that climbed out of
# the store would land. Few processes: exec is slow in the TCG guest.
state_snapshot() {
	local LC_ALL=C f cmds=$'prog show\nmap show\nlink show'
	local -a tree
	echo "## bpffs"
	shopt -s globstar dotglob nullglob
	tree=(/sys/fs/bpf /sys/fs/bpf/**)
	stat -c '%n %a %u:%g' "${tree[@]}"
	for f in "$STORE/bpflp_state" "$STORE/bpflp_cover" "$STORE"/patches/*/meta; do
		[[ -e $f ]] && cmds+=$'\n'"map dump pinned $f"
	done
	echo "## programs, maps, links, bpflp maps"
	bpftool batch file - <<< "$cmds" | sed '/"epoch": /d'
	echo "## ftrace"
	echo "$(< /sys/kernel/tracing/enabled_functions)"
	echo "## outside the store"
	for f in /tmp/*bpflp-escape* /*bpflp-escape* /sys/fs/*bpflp-escape*; do
		echo "$f"
	done
	shopt -u globstar dotglob nullglob
}

# Baseline the checks compare against; badobj_rebase after a deliberate
# change. What the change detached is freed after it returns (RCU, more
# slowly under TCG): the baseline is taken once two looks agree.
_baseline=''
badobj_rebase() {
	local next tries=20
	_baseline=$(state_snapshot)
	while ((tries-- > 0)); do
		sleep 0.5
		next=$(state_snapshot)
		[[ $next == "$_baseline" ]] && return 0
		_baseline=$next
	done
}

_case_fail() {
	badobj_failures+=("$1: $2")
	echo "  FAIL: $1: $2"
}

# Compare the state with the baseline. Freeing what a failed run loaded can
# lag its exit a little: look again a few times before calling it a change.
_state_unchanged() {
	local label=$1 now tries=2
	while :; do
		now=$(state_snapshot)
		[[ $now == "$_baseline" ]] && return 0
		((--tries > 0)) || break
		sleep 0.3
	done
	badobj_changes=$((badobj_changes + 1))
	echo "$_baseline" > "$_errfile.before"
	echo "$now" > "$_errfile.after"
	_case_fail "$label" "state changed: $(diff "$_errfile.before" "$_errfile.after" | grep '^[<>]' | tr '\n' '|')"
	badobj_restore
	return 1
}

# badobj_restore: bring the state back to the phase's baseline after a case
# changed it (e.g. a bad object that was applied): set by each phase.
badobj_restore() { :; }

# refused LABEL REGEX CMD [ARGS...]: CMD (a bpflp command line) must be
# refused in plain mode: non-zero exit, empty stdout, one stderr line
# "bpflp: error: ..." that matches REGEX, state unchanged.
refused() {
	local label=$1 regex=$2 rc=0 out err ok=1
	local -a lines
	shift 2
	badobj_tried=$((badobj_tried + 1))
	out=$("$@" 2> "$_errfile") || rc=$?
	mapfile -t lines < "$_errfile"
	err=$(< "$_errfile")
	if ((rc == 0)); then
		_case_fail "$label" "exit status 0, want non-zero (stdout: '$out')"
		ok=0
	fi
	if [[ -n $out ]]; then
		_case_fail "$label" "stdout not empty: '$out'"
		ok=0
	fi
	if ((${#lines[@]} != 1)) || [[ $err != "bpflp: error: "* ]]; then
		_case_fail "$label" "stderr is not one 'bpflp: error: ' line: '$(tr '\n' '|' <<< "$err")'"
		ok=0
	elif ! [[ $err =~ $regex ]]; then
		_case_fail "$label" "error does not name the problem (/$regex/): '$err'"
		ok=0
	fi
	_state_unchanged "$label" || ok=0
	((ok)) && echo "  ok: $label: ${err#bpflp: error: }"
	return 0
}

# refused_json LABEL REGEX CMD [ARGS...]: as refused, for a -j/-p command
# line: stdout is exactly one JSON document {"error": "..."} with .error
# matching REGEX, and stderr is empty.
refused_json() {
	local label=$1 regex=$2 rc=0 out err msg ok=1
	shift 2
	badobj_tried=$((badobj_tried + 1))
	out=$("$@" 2> "$_errfile") || rc=$?
	err=$(< "$_errfile")
	if ((rc == 0)); then
		_case_fail "$label" "exit status 0, want non-zero"
		ok=0
	fi
	if [[ -n $err ]]; then
		_case_fail "$label" "stderr not empty in JSON mode: '$(tr '\n' '|' <<< "$err")'"
		ok=0
	fi
	if ! jq -se 'length == 1 and (.[0] | type == "object" and keys == ["error"] and (.error | type == "string"))' \
		<<< "$out" > /dev/null 2>&1; then
		_case_fail "$label" "stdout is not one {\"error\": \"...\"} document: '$(tr '\n' '|' <<< "$out")'"
		ok=0
	else
		msg=$(jq -r .error <<< "$out")
		if ! [[ $msg =~ $regex ]]; then
			_case_fail "$label" "error does not name the problem (/$regex/): '$msg'"
			ok=0
		fi
	fi
	_state_unchanged "$label" || ok=0
	((ok)) && echo "  ok: $label (json): $msg"
	return 0
}

# active_patches: NAME@VERSION of every active patch, one a line.
active_patches() {
	"$BPFLP" -j list | jq -r '.patches[] | select(.state == "active") | "\(.name)@\(.version)"'
}

# disable_all: disable every active patch (newest first, as stacks unwind).
disable_all() {
	local p
	for p in $(active_patches | tac); do
		"$BPFLP" disable "$p" > /dev/null || echo "  warning: cannot disable $p" >&2
	done
}

# badobj_summary: the figure line; exit status 1 if any case failed (each
# failure was printed as it happened, "  FAIL: LABEL: why").
badobj_summary() {
	local failed
	failed=$(printf '%s\n' "${badobj_failures[@]}" | sed -n 's/^\([^:]*\):.*/\1/p' | sort -u | grep -c .)
	echo "bad inputs tried: $badobj_tried, state changes: $badobj_changes, cases failed: $failed (${SECONDS}s)"
	((failed == 0))
}

_errfile=$(mktemp)
on_exit 'rm -f "$_errfile" "$_errfile.before" "$_errfile.after"'
# A test killed by run-tests.sh's timeout must still run its teardown.
trap 'exit 143' TERM
