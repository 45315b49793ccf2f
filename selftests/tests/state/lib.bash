# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the shadow tests (67_shadow_core.sh, 77_shadow_faults.sh, and
# reliability/73_ground_moves.sh); source after lib.sh and ../patch_lib.bash,
# then call shadow_setup. The test patches (shadow_rl.bpf.h beside this file) rate-limit opens of bpflp-t-s* per
# task, counting in the shadow "rl": opens here are made by this very shell
# (a builtin's redirection: no fork), so one task, one entry, survives
# every apply of the test.

SHADOW=/sys/fs/bpf/bpflp/shadow

shadow_setup() {
	core_setup
	TARGET_SHADOW=$TDIR/bpflp-t-s-file
	: > "$TARGET_SHADOW"
}

# rl_opens N: open the target N times from this shell; OUTCOMES gets
# "ok", "EPERM", "EACCES" or "EROFS" for each. Never call it in $(...): a
# subshell is another task, with a count of its own.
rl_opens() {
	local err=$TDIR/open.err i
	OUTCOMES=
	for ((i = 0; i < $1; i++)); do
		if { : < "$TARGET_SHADOW"; } 2> "$err"; then
			OUTCOMES+=" ok"
			continue
		fi
		case $(< "$err") in
		*"Operation not permitted"*) OUTCOMES+=" EPERM" ;;
		*"Permission denied"*) OUTCOMES+=" EACCES" ;;
		*"Read-only file system"*) OUTCOMES+=" EROFS" ;;
		*) fail "open of $TARGET_SHADOW: $(< "$err")" ;;
		esac
	done
	OUTCOMES=${OUTCOMES# }
}

# assert_opens N "OUTCOMES" WHAT
assert_opens() {
	rl_opens "$1"
	assert_eq "$OUTCOMES" "$2" "$3"
}

# shadow_values NAME: the values in shadow NAME as bpftool dumps them (its BTF), compact JSON.
shadow_values() { bpftool -j map dump pinned "$SHADOW/$1" | jq -c '[.[].formatted.value]'; }

# shadow_pins: everything under the shadow directory, sorted, one line.
shadow_pins() { find "$SHADOW" -mindepth 1 -printf '%P\n' 2> /dev/null | sort | tr '\n' ' '; }

# shadow_map_id NAME: id of the map pinned as shadow NAME (or kept/NAME).
shadow_map_id() { bpftool -j map show pinned "$SHADOW/$1" | jq -r .id; }

# bpflp_refused WHAT REGEX ARGS...: bpflp ARGS must exit 1 with one error line matching REGEX.
bpflp_refused() {
	local what=$1 regex=$2 out rc=0
	shift 2
	out=$("$BPFLP" "$@" 2>&1) || rc=$?
	assert_eq "$rc" 1 "$what: exit status"
	assert_eq "$(wc -l <<< "$out")" 1 "$what: error lines"
	assert_match "$out" "$regex" "$what: error names the problem"
}
