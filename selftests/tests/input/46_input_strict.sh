#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Strict input, with a patch active, refused as in 4[0-4]_* (one error line,
# nothing changed):
#  a) NAME@VERSION specs are exact: no empty version, sign, spaces, leading
#     zeros or values above 4294967295 (disable NAME@-1 must not hit 2^32-1);
#  b) a patch object whose full path the record cannot hold is refused with
#     ENAMETOOLONG before anything is created;
#  c) output that cannot be written (stdout is /dev/full) is an error;
#  d) a user with the capabilities but no write access to the state tree, and
#     a read-only bpffs, get the real reason.
. "$(dirname "$0")/badobj/setup.bash"

_state_setup
_state_live
badobj_rebase

echo "# a) version specs"
spec_msg="VERSION must be a decimal number from 0 to 4294967295 without sign, spaces or leading zeros"
for spec in example@ example@-1 example@+1 'example@ 1' 'example@1 ' example@01 example@00 \
	example@4294967296 example@18446744073709551615 example@1x example@0x1 example@1@1; do
	refused "disable '$spec'" "^bpflp: error: bad patch spec '.*': $spec_msg$" "$BPFLP" disable "$spec"
	refused "show '$spec'" "bad patch spec '.*': $spec_msg" "$BPFLP" show "$spec"
done
refused "disable '@1'" "bad patch spec '@1': no NAME before '@'" "$BPFLP" disable @1
refused_json "-j disable example@-1" "bad patch spec 'example@-1'" "$BPFLP" -j disable example@-1
# Well-formed specs still mean what they say.
refused "disable example@4294967295" "no active patch 'example@4294967295'" "$BPFLP" disable example@4294967295
refused "disable example@0" "no active patch 'example@0'" "$BPFLP" disable example@0
assert_eq "$("$BPFLP" -j show example@1 | jq -r '"\(.name)@\(.version) \(.state)"')" "example@1 active" "show example@1"
assert_eq "$(active_patches)" "example@1" "active patches after the bad specs"

echo "# b) a path too long for the record"
long=$work/$(printf 'd%.0s' {1..120})/$(printf 'e%.0s' {1..120})
mkdir -p "$long"
cp "$BADOBJ/example-v2.bpf.o" "$long/example-v2.bpf.o"
len=$(realpath "$long/example-v2.bpf.o" | tr -d '\n' | wc -c)
((len > 255)) || fail "test path is only $len bytes"
long_msg="full path is $len bytes, bpflp records at most 255 \\(ENAMETOOLONG\\): move the object to a shorter path"
refused "apply, long path" "$long_msg" "$BPFLP" apply "$long/example-v2.bpf.o"
refused "apply --stack, long path" "$long_msg" "$BPFLP" apply --stack "$long/example-v2.bpf.o"
refused "check, long path" "$long_msg" "$BPFLP" check "$long/example-v2.bpf.o"
refused_json "-j apply, long path" "$long_msg" "$BPFLP" -j apply "$long/example-v2.bpf.o"
# Without any state: nothing may be created either.
disable_all
rm -rf "$STORE"
badobj_restore() { disable_all; rm -rf "$STORE"; badobj_rebase; }
badobj_rebase
refused "apply, long path, no state" "$long_msg" "$BPFLP" apply "$long/example-v2.bpf.o"
[[ ! -e $STORE ]] || fail "$STORE was created by a refused apply"
echo "  ok: no state tree created"
# 255 bytes exactly is refused, 254 fits: the limit is the one named.
short=$work/s
mkdir -p "$short"
cp "$BADOBJ/example-v2.bpf.o" "$short/x.bpf.o"
base=$(realpath "$short" | tr -d '\n' | wc -c)
fits=$short/$(printf 'f%.0s' $(seq $((254 - base - 8))))-.bpf.o
cp "$BADOBJ/example-v2.bpf.o" "$fits"
assert_eq "$(realpath "$fits" | tr -d '\n' | wc -c)" 254 "length of the path that fits"
out=$("$BPFLP" -j apply "$fits") || fail "apply of a 254-byte path: $out"
assert_eq "$(jq -r .name <<< "$out")@$(jq -r .version <<< "$out")" "example@2" "applied from a 254-byte path"
assert_eq "$("$BPFLP" -j list | jq -r '.patches[0].object')" "$(realpath "$fits")" "recorded object path"
disable_all

echo "# c) stdout that cannot be written"
for args in "list" "-j list" "show example" "-j show example" "help"; do
	rc=0
	# shellcheck disable=SC2086 # word splitting of args is wanted
	err=$("$BPFLP" $args 2>&1 > /dev/full) || rc=$?
	if [[ $args == help ]]; then	# usage goes to stderr: nothing to lose on stdout
		assert_eq "$rc" 0 "exit status of 'bpflp help > /dev/full'"
		continue
	fi
	assert_eq "$rc" 1 "exit status of 'bpflp $args > /dev/full'"
	assert_eq "$(tail -n1 <<< "$err")" "bpflp: error: cannot write to standard output: No space left on device" \
		"'bpflp $args > /dev/full': last stderr line"
done
rc=0
err=$("$BPFLP" list 2>&1 > /dev/full) || rc=$?
assert_eq "$err" "bpflp: error: cannot write to standard output: No space left on device" \
	"'bpflp list > /dev/full': the only stderr line"

echo "# d) no write access to the state tree"
assert_ok "$BPFLP" apply "$example" > /dev/null
badobj_restore() { disable_all; "$BPFLP" apply "$example" > /dev/null; badobj_rebase; }
badobj_rebase
capped=(setpriv --reuid=65534 --regid=65534 --clear-groups
	--inh-caps=+sys_admin,+bpf,+perfmon --ambient-caps=+sys_admin,+bpf,+perfmon)
# apply also warns that it cannot read tracefs (root-only): the error is the last line.
rc=0
err=$("${capped[@]}" "$BPFLP" apply "$BADOBJ/example-v2.bpf.o" 2>&1 > /dev/null) || rc=$?
assert_eq "$rc" 1 "capable nobody: exit status of apply"
assert_match "$(tail -n1 <<< "$err")" "^bpflp: error: .*$STORE.*(Permission denied|Operation not permitted)" \
	"capable nobody: apply names the state tree and the reason"
assert_eq "$(state_snapshot)" "$_baseline" "capable nobody: apply changed nothing"
for verb in "disable example" "gc" "recover"; do
	# shellcheck disable=SC2086
	refused "capable nobody: $verb" "$STORE.*(Permission denied|Operation not permitted)" "${capped[@]}" "$BPFLP" $verb
done
rofs() { unshare -m sh -c 'mount -o remount,bind,ro /sys/fs/bpf && exec "$@"' rofs "$@"; }
refused "read-only bpffs: apply" "$STORE root-only \\(chmod 0700\\): Read-only file system" rofs "$BPFLP" apply "$BADOBJ/example-v2.bpf.o"
refused "read-only bpffs: disable" "$STORE/journal: Read-only file system" rofs "$BPFLP" disable example
assert_eq "$(active_patches)" "example@1" "active patches at the end"

badobj_summary
