#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The JSON schema in docs/schema/ describes what bpflp really prints: every
# command's -j output on real patches (apply, list, show, check, status,
# recover, disable, gc, stats, install, uninstall, boot, log, version, help, and
# each line of show --watch) and the error document validate
# against it with python3-jsonschema (draft 2020-12), and its
# schema_version is the one 'bpflp -j version' reports.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

SCHEMA=$BPFLP_ROOT/docs/schema/bpflp-output.schema.json
errfile=$TDIR/stderr

# schema_ok DEF RC ARGS...: bpflp -j ARGS exits RC, writes nothing to
# stderr, and its stdout is valid as $defs/DEF and as the whole schema
# (checked at the end, by schema_verify).
schema_ok() {
	local def=$1 want=$2 out rc=0
	shift 2
	out=$("$BPFLP" -j "$@" 2> "$errfile") || rc=$?
	((rc == want)) || fail "'bpflp -j $*' exited $rc, want $want: $out $(cat "$errfile")"
	[[ ! -s $errfile ]] || fail "'bpflp -j $*' wrote to stderr: $(cat "$errfile")"
	schema_expect "$def" "$out" "bpflp -j $*"
	echo "  ok: bpflp -j $* exited $want"
}

a1=$(patch_obj t-a@1)
v1=$(patch_obj t-v@1)

assert_eq "$(jq -r .schema_version "$SCHEMA")" "$("$BPFLP" -j version | jq -r .schema_version)" \
	"schema_version of the schema and of 'bpflp -j version'"
schema_ok version 0 version
schema_ok help 0 help
schema_ok help 0 help apply
schema_ok error 1 show nope
schema_ok error 1 apply --bogus "$a1"
schema_ok error 1 frobnicate
schema_ok list 0 list
schema_ok status 0 status
schema_ok recover 0 recover
schema_ok gc 0 gc
schema_ok check 0 check "$a1"
schema_ok apply 0 apply "$a1"
schema_ok apply 0 apply "$a1"
schema_ok apply 0 apply "$v1"
schema_ok list 0 list
schema_ok show 0 show t-v
schema_ok show 0 show t-a@1
schema_ok stats 0 stats
schema_ok stats 0 stats off
schema_ok show 0 show t-v
schema_ok stats 0 stats on
# show --watch -j: JSON Lines, each line a show document.
out=$("$BPFLP" -j show t-v --watch 0.2 --count 2 2> "$errfile") || fail "show --watch -j --count 2: $(cat "$errfile")"
[[ ! -s $errfile ]] || fail "show --watch -j wrote to stderr: $(cat "$errfile")"
assert_eq "$(wc -l <<< "$out")" 2 "show --watch -j --count 2: two lines"
while IFS= read -r line; do
	schema_expect show "$line" "a line of bpflp -j show t-v --watch 0.2 --count 2"
done <<< "$out"
schema_ok status 0 status
schema_ok recover 0 recover
# Drift: a link deleted by hand shows in list and status, recover repairs it.
rm "$STORE/patches/t-v@1/security_file_open__fmod_ret_link"
schema_ok list 0 list
schema_ok status 2 status
schema_ok recover 0 recover
schema_ok disable 0 disable t-v
schema_ok error 1 disable t-v
schema_ok gc 0 gc
schema_ok list 0 list
# The boot-time patch: install, boot (nothing installed, then the apply
# document), uninstall, in a state directory of the test's own.
saved_state_dir=${BPFLP_STATE_DIR:-}
export BPFLP_STATE_DIR=$TDIR/state
schema_ok boot 0 boot
schema_ok install 0 install "$a1"
schema_ok install 0 install "$v1"
schema_ok apply 0 boot
schema_ok install 0 uninstall t-v
schema_ok error 1 uninstall t-v
# The history of this state directory: boot's apply; then a failed disable.
schema_ok log 0 log
schema_ok error 1 disable t-nope@1
schema_ok log 0 log --last 1
assert_eq "$("$BPFLP" -j log --last 1 | jq -r '.entries[0] | "\(.operation) \(.outcome)"')" "disable failed" "log: the failed disable"
export BPFLP_STATE_DIR=$saved_state_dir
schema_verify 41
