# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the tests of every area that apply the core patches (first the
# core scenarios, selftests/tests/core/): source it after lib.sh and call
# core_setup first.
#
# The test patches (selftests/tests/core.bpf.h) deny a syscall only on a
# file whose name starts with a tag, with an errno per patch version:
#   open   $TARGET_OPEN   (bpflp-t-a*, security_file_open)
#   unlink $TARGET_UNLINK (bpflp-t-b*, security_inode_unlink)
#   mkdir  $TARGET_MKDIR  (bpflp-t-c*, security_inode_mkdir)
# and each has a control path with another name that must always succeed.

STORE=/sys/fs/bpf/bpflp
CBLOG=/sys/fs/bpf/bpflp_t_cblog
TRACING=/sys/kernel/tracing

# bpflp_reset: disable whatever is active and remove every pin the tests
# create, detaching all links; the state every core test starts and ends in.
bpflp_reset() {
	local p
	if [[ -d $STORE ]]; then
		for p in $("$BPFLP" -j list 2>/dev/null |
			   jq -r '.patches[]? | select(.state == "active") | "\(.name)@\(.version)"'); do
			"$BPFLP" disable "$p" > /dev/null || echo "  warning: cannot disable $p" >&2
		done
	fi
	rm -rf "$STORE" "$CBLOG"
}

# core_setup: skip where the kernel cannot run patches; start clean, clean up
# at exit; create the target and control files in $TDIR.
core_setup() {
	require_root
	BPFLP=$(build_path bpflp)
	PROBE=$(build_path selftests/helpers/syscall_probe)
	require_patchable t-a@1
	TDIR=$(mktemp -d /tmp/bpflp-core.XXXXXX)
	on_exit "rm -rf '$TDIR'"
	TARGET_OPEN=$TDIR/bpflp-t-a-file
	CONTROL_OPEN=$TDIR/other-a-file
	TARGET_UNLINK=$TDIR/bpflp-t-b-file
	CONTROL_UNLINK=$TDIR/other-b-file
	TARGET_MKDIR=$TDIR/bpflp-t-c-dir
	CONTROL_MKDIR=$TDIR/other-c-dir
	: > "$TARGET_OPEN"
	: > "$CONTROL_OPEN"
	bpflp_reset
	on_exit bpflp_reset
}

# behaviour: "OPEN UNLINK MKDIR" outcomes on the targets, after checking
# that the control paths all succeed whatever is active.
behaviour() {
	local controls
	controls="$("$PROBE" open "$CONTROL_OPEN") $("$PROBE" unlink "$CONTROL_UNLINK") $("$PROBE" mkdir "$CONTROL_MKDIR")"
	[[ $controls == "ok ok ok" ]] || fail "control paths must be untouched: got '$controls'"
	echo "$("$PROBE" open "$TARGET_OPEN") $("$PROBE" unlink "$TARGET_UNLINK") $("$PROBE" mkdir "$TARGET_MKDIR")"
}

# assert_behaviour "OPEN UNLINK MKDIR" WHAT
assert_behaviour() { assert_eq "$(behaviour)" "$1" "open/unlink/mkdir outcomes $2"; }

# status_is CODE STATUS WHAT: plain and -j status exit CODE, nothing on
# stderr; -j says STATUS and exit_code CODE. The plain output is left in
# $TDIR/status.out.
status_is() {
	local rc=0 out
	"$BPFLP" status > "$TDIR/status.out" 2> "$TDIR/status.err" || rc=$?
	assert_eq "$rc" "$1" "status exit code $3"
	assert_eq "$(cat "$TDIR/status.err")" "" "status stderr $3"
	rc=0
	out=$("$BPFLP" -j status) || rc=$?
	assert_eq "$rc" "$1" "-j status exit code $3"
	assert_eq "$(jq -r '"\(.status) \(.exit_code)"' <<< "$out")" "$2 $1" "-j status and exit_code $3"
}

# bpflp_ok ARGS...: run bpflp, which must succeed; its stdout is echoed.
bpflp_ok() {
	local out rc=0
	out=$("$BPFLP" "$@") || rc=$?
	((rc == 0)) || fail "'bpflp $*' exited $rc"
	echo "$out"
}

# list_query JQ_FILTER: run `bpflp -j list` through jq -r.
list_query() { "$BPFLP" -j list | jq -r "$1"; }

# patch_field NAME@VERSION FIELD: a field of that record in `bpflp -j list`.
patch_field() {
	list_query ".patches[] | select(\"\(.name)@\(.version)\" == \"$1\") | .$2"
}

# active_patches: "NAME@V ..." of the active records, in list order.
active_patches() {
	list_query '[.patches[] | select(.state == "active") | "\(.name)@\(.version)"] | join(" ")'
}

# expected_word: commit word the active records' slots make.
expected_word() {
	list_query '[.patches[] | select(.state == "active") | pow(2; .slot)] | add // 0'
}

# patch_pins NAME@VERSION: the pins left in the patch's directory, sorted.
patch_pins() { find "$STORE/patches/$1" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//'; }

# patch_link_ids NAME@VERSION: ids of every link pinned by the patch
# (its programs' and its snapshot programs'), sorted.
patch_link_ids() {
	local pin
	for pin in "$STORE/patches/$1"/*_link; do
		[[ -e $pin ]] && bpftool -j link show pinned "$pin" | jq -r .id
	done | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# prog_alive ID / prog_gone ID: is BPF program ID in the kernel?
prog_alive() { bpftool prog show id "$1" > /dev/null 2>&1; }
prog_gone() { ! prog_alive "$1"; }

# t-o@1's count of the opens it saw (selftests/tests/core/t-o@1.bpf.c), in a
# map it pins by name: a test that applies t-o@1 removes T_OBS_PIN on exit.
T_OBS_PIN=/sys/fs/bpf/bpflp_t_obs
t_observed() { bpftool -j map lookup pinned "$T_OBS_PIN" key 0 0 0 0 | jq -r '.formatted.value // .value'; }

# stopped PID: PID is stopped, as BPFLP_PAUSE leaves bpflp at its step.
stopped() { [[ $(awk '{ print $3 }' "/proc/$1/stat" 2> /dev/null) == T ]]; }
# hold STEP ARGS...: run bpflp ARGS in the background, stopped at STEP (its
# pid in $held, its output in $TDIR/held.out).
hold() {
	local step=$1
	shift
	BPFLP_PAUSE=$step "$BPFLP" "$@" > "$TDIR/held.out" 2>&1 &
	held=$!
	on_exit "kill -KILL $held 2>/dev/null"
	wait_for 60 stopped "$held" || fail "bpflp $* never stopped at $step: $(cat "$TDIR/held.out")"
}
# release: let the held bpflp go on; it must succeed.
release() {
	local rc=0
	kill -CONT "$held"
	wait "$held" || rc=$?
	assert_eq "$rc" 0 "the held bpflp finishes once let go: $(cat "$TDIR/held.out")"
}

# state_field FIELD: bpflp_state's FIELD (abi.h), as bpftool dumps the pinned map.
state_field() { bpftool -j map dump pinned "$STORE/bpflp_state" | jq -r ".[0].formatted.value.$1"; }

# tracing_links: how many tracing links (fentry, fexit, fmod_ret) the kernel holds.
tracing_links() { bpftool -j link list | jq '[.[] | select(.type == "tracing")] | length'; }
# tracing_links_are N: true when there are N (for wait_for: the kernel frees
# an unpinned link a moment after the pin goes).
tracing_links_are() { [[ $(tracing_links) == "$1" ]]; }

# live_link_ids: ids of every BPF link in the kernel, sorted.
live_link_ids() { bpftool -j link list | jq -r '.[].id' | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# assert_links_live IDS WHAT / assert_links_gone IDS WHAT
assert_links_live() {
	local live id
	live=" $(live_link_ids) "
	[[ -n $1 ]] || fail "$2: no link ids to check"
	for id in $1; do
		[[ $live == *" $id "* ]] || fail "$2: link $id is not in bpftool link list"
	done
	echo "  ok: $2: links $1 live"
}
# links_gone IDS: none of IDS is in the kernel's link list.
links_gone() {
	local live id
	live=" $(live_link_ids) "
	for id in $1; do
		[[ $live != *" $id "* ]] || return 1
	done
}
# The kernel frees a link a moment after its last pin goes (after an RCU
# grace period, from a worker): waited for.
assert_links_gone() {
	[[ -n $1 ]] || fail "$2: no link ids to check"
	wait_for 60 links_gone "$1" || fail "$2: links still in bpftool link list: $(live_link_ids)"
	echo "  ok: $2: links $1 gone"
}

# traced FUNC: "yes" when FUNC carries a trampoline (enabled_functions).
traced() { grep -q "^$1 " "$TRACING/enabled_functions" && echo yes || echo no; }
untraced() { [[ $(traced "$1") == no ]]; }
# assert_untraced FUNC WHAT: FUNC's trampoline goes with its last link, a
# moment after the last pin (see assert_links_gone): waited for.
assert_untraced() {
	wait_for 60 untraced "$1" || fail "$1 still traced $2"
	echo "  ok: $1 not traced $2"
}

# cblog: the callback events logged so far ("11 12 ..."), empty if none.
cblog() {
	[[ -e $CBLOG ]] || return 0
	bpftool -j map dump pinned "$CBLOG" |
		jq -r '[.[].formatted] | sort_by(.key) | .[0].value as $n | [.[1:$n + 1][].value] | join(" ")'
}

# bpffs_tree: every path in bpffs with its mode.
bpffs_tree() { find /sys/fs/bpf -printf '%p %m\n' | sort; }

# kernel_state: the bpffs tree, every BPF link, the traced functions and
# bpflp's records, to compare before and after something that must change
# nothing.
kernel_state() {
	bpffs_tree
	echo "--- links"
	bpftool -j link list | jq -c 'sort_by(.id)[]'
	echo "--- trampolines"
	grep -o '^[a-z_0-9]* ' "$TRACING/enabled_functions" | sort
	echo "--- records"
	"$BPFLP" -j list | jq -c .
}
