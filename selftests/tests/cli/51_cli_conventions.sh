#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# CLI conventions: global options anywhere on the line ('bpflp list -j' is
# 'bpflp -j list'), '--' ends the options, each verb's -h/--help prints its
# usage, 'help COMMAND', 'version', '--version' and '-V' (plain and -j), and
# 'bpflp -j help' is one JSON document. Exact outputs.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

a1=$(patch_obj t-a@1)
errfile=$TDIR/stderr

# out_of ARGS...: stdout of bpflp ARGS, which must exit 0 with an empty stderr.
out_of() {
	local out rc=0
	out=$("$BPFLP" "$@" 2> "$errfile") || rc=$?
	((rc == 0)) || fail "'bpflp $*' exited $rc: $(cat "$errfile")"
	[[ ! -s $errfile ]] || fail "'bpflp $*' wrote to stderr: $(cat "$errfile")"
	echo "$out"
}

# usage_of ARGS...: stderr of bpflp ARGS (help goes there, as bpftool's), exit 0, stdout empty.
usage_of() {
	local out rc=0
	out=$("$BPFLP" "$@" 2> "$errfile") || rc=$?
	((rc == 0)) || fail "'bpflp $*' exited $rc"
	[[ -z $out ]] || fail "'bpflp $*' wrote usage to stdout: $out"
	cat "$errfile"
}

echo "# global options anywhere"
assert_ok "$BPFLP" apply "$a1" > /dev/null
want=$(out_of -j list)
assert_eq "$(out_of list -j)" "$want" "'list -j' is '-j list'"
assert_eq "$(out_of list --json)" "$want" "'list --json' is '-j list'"
assert_eq "$(out_of -v list -j)" "$want" "'-v list -j' is '-j list'"
assert_eq "$(out_of list -p)" "$(out_of -p list)" "'list -p' is '-p list'"
(($(out_of list -p | wc -l) > 5)) || fail "'list -p' is not pretty-printed"
assert_eq "$(out_of show t-a -p | jq -c 'del(.functions[].calls)')" \
	"$(out_of -j show t-a | jq -c 'del(.functions[].calls)')" "'show t-a -p' is '-j show t-a'"
assert_eq "$(out_of apply "$a1" -j | jq -c '[.action, .name]')" '["none","t-a"]' "'apply OBJ -j'"
assert_eq "$(out_of check -j "$a1" --allow-insecure | jq -r .verdict)" ok "'check -j OBJ --allow-insecure'"
rc=0
out=$("$BPFLP" show nope -j 2> "$errfile") || rc=$?
assert_eq "$rc" 1 "exit status of 'show nope -j'"
assert_eq "$out" '{"error":"no patch '"'nope'"': see '"'bpflp list'"'"}' "'show nope -j': the error document"
assert_eq "$(cat "$errfile")" "" "'show nope -j': stderr"

echo "# -- ends the options"
assert_eq "$(out_of apply -- "$a1")" "t-a@1 is already active: nothing to do" "'apply -- OBJ'"
rc=0
err=$("$BPFLP" apply -- -j 2>&1 > /dev/null) || rc=$?
assert_eq "$rc" 1 "exit status of 'apply -- -j'"
assert_eq "$err" "bpflp: error: cannot open patch object -j: No such file or directory" \
	"'apply -- -j' takes -j for a file"
rc=0
err=$("$BPFLP" list -- -j 2>&1 > /dev/null) || rc=$?
assert_eq "$rc:$err" "1:bpflp: error: list takes no arguments, got '-j'" "'list -- -j'"

echo "# per-verb -h and help COMMAND"
apply_usage="Usage: bpflp apply OBJ [--stack] [--dispatch] [--allow-insecure] [--module FILE.ko] [--timeout S] [--sig FILE]

apply a patch; replaces every active patch unless --stack

Options:
      --stack            add the patch on top of the active ones instead of replacing them
      --dispatch         run its fmod_ret programs from one stub per function (replaces then attach nothing)
      --allow-insecure   accept an object not owned by root or writable by group or others
      --module FILE.ko   the livepatch module the patch carries (replace = true), applied with it
      --timeout SECONDS  how long a livepatch transition may take before it is reversed (default 60)
      --sig FILE         the object's detached signature (default OBJ.sig)
  -j, -p, -v, -h         as for every command ('--' ends the options)"
assert_eq "$(usage_of apply -h)" "$apply_usage" "'apply -h'"
assert_eq "$(usage_of apply --help)" "$apply_usage" "'apply --help'"
assert_eq "$(usage_of apply "$a1" --stack -h)" "$apply_usage" "'apply OBJ --stack -h' runs nothing"
assert_eq "$(usage_of help apply)" "$apply_usage" "'help apply'"
assert_eq "$(usage_of help ap)" "$apply_usage" "'help ap' (a prefix)"
assert_eq "$(usage_of -h apply)" "$apply_usage" "'-h apply'"
assert_eq "$(usage_of gc -h)" "Usage: bpflp gc

remove the records of replaced and disabled patches

Options:
  -j, -p, -v, -h         as for every command ('--' ends the options)" "'gc -h'"
assert_eq "$(active_patches)" "t-a@1" "-h changed nothing"
usage=$(usage_of help)
assert_eq "$(head -n1 <<< "$usage")" "Usage: bpflp [OPTIONS] COMMAND [ARGS]" "'help': first line"
assert_eq "$(usage_of --help)" "$usage" "'--help' is 'help'"
assert_eq "$(usage_of -h)" "$usage" "'-h' is 'help'"
assert_eq "$(grep -c '^  [0-5]  ' <<< "$usage")" 6 "'help' lists the exit codes 0 to 5"
assert_eq "$(sed -n '/^Options, anywhere/,/^$/p' <<< "$usage")" "Options, anywhere on the line ('--' ends them):
  -j, --json             one JSON document on stdout, errors included
  -p, --pretty           JSON, indented
  -v, --verbose          debug messages, libbpf's included
  -h, --help             this text; with a command, its usage
  -V, --version          the same as 'bpflp version'" "'help': the global options"
rc=0
err=$("$BPFLP" help bogus 2>&1 > /dev/null) || rc=$?
assert_eq "$rc:$err" "1:bpflp: error: unknown command 'bogus': run 'bpflp help'" "'help bogus'"

echo "# -j help"
out=$(out_of -j help)
assert_eq "$(jq -r '[.commands[].name] | join(" ")' <<< "$out")" \
	"apply list show disable check probe recover status gc install uninstall boot sign stats log help version" "'-j help': commands"
assert_eq "$(jq -c '.commands[0] | [.name, .usage, .options]' <<< "$out")" \
	'["apply","apply OBJ [--stack] [--dispatch] [--allow-insecure] [--module FILE.ko] [--timeout S] [--sig FILE]",["--stack","--dispatch","--allow-insecure","--module","--timeout","--sig"]]' "'-j help': apply"
assert_eq "$(jq -c '[.exit_codes[].code]' <<< "$out")" "[0,1,2,3,4,5]" "'-j help': exit codes"
assert_eq "$(out_of help gc -j)" \
	'{"commands":[{"name":"gc","usage":"gc","summary":"remove the records of replaced and disabled patches","options":[]}]}' \
	"'help gc -j'"

echo "# version"
ver=$(sed -n 's/^#define BPFLP_VERSION[[:space:]]*"\(.*\)"/\1/p' "$BPFLP_ROOT/loader/lib/version.h")
schema=$(sed -n 's/^#define BPFLP_SCHEMA_VERSION[[:space:]]*"\(.*\)"/\1/p' "$BPFLP_ROOT/loader/lib/version.h")
abi=$(sed -n 's/^#define BPFLP_ABI_VERSION[[:space:]]*\([0-9]*\)U*$/\1/p' "$BPFLP_ROOT/include/bpflp/abi.h")
fmt=$(sed -n 's/^#define META_VERSION[[:space:]]*\([0-9]*\)U*$/\1/p' "$BPFLP_ROOT/loader/store/store.h")
libbpf=$(dpkg-query -W -f '${Version}' libbpf1 2> /dev/null | sed 's/^[0-9]*://; s/^\([0-9]*\.[0-9]*\).*/\1/')
[[ -n $libbpf ]] || libbpf=$("$BPFLP" -j version | jq -r .libbpf_version)
assert_eq "$ver" 0.3.0 "bpflp version in loader/lib/version.h"
plain="bpflp $ver
abi $abi, record format $fmt
libbpf $libbpf
json schema $schema"
assert_eq "$(out_of version)" "$plain" "'version'"
assert_eq "$(out_of --version)" "$plain" "'--version'"
assert_eq "$(out_of -V)" "$plain" "'-V' (as bpftool's)"
assert_eq "$(out_of -vV)" "$plain" "'-vV'"
assert_eq "$(out_of ver)" "$plain" "'ver' (a prefix)"
json="{\"version\":\"$ver\",\"abi_version\":$abi,\"record_format\":$fmt,\"libbpf_version\":\"$libbpf\",\"schema_version\":\"$schema\"}"
assert_eq "$(out_of -j version)" "$json" "'-j version'"
assert_eq "$(out_of version -j)" "$json" "'version -j'"
assert_eq "$(out_of --version -j)" "$json" "'--version -j'"
assert_eq "$(out_of -V -j)" "$json" "'-V -j'"
assert_eq "$(out_of -jV)" "$json" "'-jV'"
rc=0
err=$("$BPFLP" list -V 2>&1 > /dev/null) || rc=$?
assert_eq "$rc:$err" "1:bpflp: error: unknown option '-V' for list: run 'bpflp help list'" \
	"'list -V': -V goes before the command, as --version"
rc=0
err=$("$BPFLP" --version=1 2>&1 > /dev/null) || rc=$?
assert_eq "$rc:$err" "1:bpflp: error: option '--version' takes no value, got '--version=1': run 'bpflp help'" "'--version=1'"
assert_eq "$(out_of -p version | jq -c .)" "$json" "'-p version'"
