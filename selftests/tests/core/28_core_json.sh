#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# -j/-p: every command prints one JSON document on stdout and nothing on
# stderr; an error is {"error": "..."} on stdout with exit status 1. Without
# -j an error is one "bpflp: error: ..." line on stderr and stdout is empty.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

errfile=$TDIR/stderr

# json_ok JQ_TEST ARGS...: bpflp ARGS must exit 0 with a JSON document on
# stdout satisfying JQ_TEST and an empty stderr.
json_ok() {
	local test=$1 out rc=0
	shift
	out=$("$BPFLP" "$@" 2> "$errfile") || rc=$?
	((rc == 0)) || fail "'bpflp $*' exited $rc: $(cat "$errfile")"
	[[ ! -s $errfile ]] || fail "'bpflp $*' wrote to stderr: $(cat "$errfile")"
	jq -e "$test" <<< "$out" > /dev/null || fail "'bpflp $*': '$out' fails jq test: $test"
	echo "  ok: bpflp $*"
}

# json_err REGEX ARGS...: bpflp ARGS must exit 1 with exactly {"error": MSG}
# on stdout, MSG matching REGEX, and an empty stderr.
json_err() {
	local re=$1 out rc=0
	shift
	out=$("$BPFLP" "$@" 2> "$errfile") || rc=$?
	((rc == 1)) || fail "'bpflp $*' exited $rc, want 1"
	[[ ! -s $errfile ]] || fail "'bpflp $*' wrote to stderr: $(cat "$errfile")"
	jq -e 'keys == ["error"] and (.error | type == "string")' <<< "$out" > /dev/null ||
		fail "'bpflp $*': stdout '$out' is not one {\"error\": ...} document"
	assert_match "$(jq -r .error <<< "$out")" "$re" "bpflp $*: error"
}

# plain_err REGEX ARGS...: without -j, one error line on stderr, stdout empty.
plain_err() {
	local re=$1 out rc=0
	shift
	out=$("$BPFLP" "$@" 2> "$errfile") || rc=$?
	((rc == 1)) || fail "'bpflp $*' exited $rc, want 1"
	[[ -z $out ]] || fail "'bpflp $*' wrote an error to stdout: $out"
	assert_eq "$(wc -l < "$errfile")" 1 "bpflp $*: stderr lines"
	assert_match "$(cat "$errfile")" "^bpflp: error: $re" "bpflp $*: error line"
}

a1=$(patch_obj t-a@1)
v1=$(patch_obj t-v@1)
json_ok '.patches == [] and .commit_word == 0' -j list
json_ok '.verdict == "ok" and .name == "t-a" and .version == 1 and
	 ([.functions[] | "\(.function):\(.attach_type):\(.verdict)"] == ["security_file_open:fmod_ret:ok"])' -j check "$a1"
assert_eq "$(active_patches)" "" "check applied nothing"
json_ok ".action == \"applied\" and .object == \"$a1\" and .name == \"t-a\" and .version == 1 and
	 .mode == \"replace\" and .functions == 1 and .replaced == []" -j apply "$a1"
json_ok '.action == "none" and .name == "t-a" and .version == 1' -j apply "$a1"
json_ok '.action == "applied" and .name == "t-v" and .replaced == ["t-a@1"]' -j apply "$v1"
assert_behaviour "EPERM EPERM ok" "with t-v@1"
json_ok '[.patches[] | "\(.name)@\(.version):\(.state):\(.replaced_by // "")"] ==
	 ["t-a@1:replaced:t-v@1", "t-v@1:active:"] and (.commit_word > 0)' -j list
json_ok '.name == "t-v" and .state == "active" and (.functions | length) == 2 and
	 all(.functions[]; .attached and .link_id > 0 and .prog_id > 0)' -j show t-v
json_ok '.name == "t-a" and .state == "replaced" and all(.functions[]; .attached | not)' -j show t-a@1
out=$("$BPFLP" -p show t-v)
(($(wc -l <<< "$out") > 10)) || fail "-p output is not pretty-printed: $out"
assert_eq "$(jq -c 'del(.functions[].calls)' <<< "$out")" \
	"$("$BPFLP" -j show t-v | jq -c 'del(.functions[].calls)')" "-p and -j show the same document"

json_err "cannot open patch object /nonexistent" -j apply /nonexistent.bpf.o
json_err "not an ELF file" -j check /etc/hostname
json_err "no patch 'nope'" -j show nope
json_err "no active patch 'nope'" -j disable nope
json_err "no active patch 't-a@1'" -j disable t-a@1
json_err "unknown command 'bogus'" -j bogus
json_err "apply needs a patch object" -j apply
json_err "unknown option '--frob' for apply" -j apply --frob "$a1"
json_err "pre_patch callback of t-fail returned -19" -j apply "$(patch_obj t-fail@1)"
assert_behaviour "EPERM EPERM ok" "after the failed commands"

plain_err "no patch 'nope'" show nope
plain_err "cannot open patch object /nonexistent" apply /nonexistent.bpf.o

json_ok '.action == "disabled" and .name == "t-v" and .version == 1' -j disable t-v
assert_behaviour "ok ok ok" "after disable"
