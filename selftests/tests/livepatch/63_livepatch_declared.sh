#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A patch object that names its livepatch module (BPFLP_LIVEPATCH) carries
# it without --module, from NAME.ko beside the object:
#  - without the .ko there, apply and check fail naming the file, nothing
#    changes;
#  - with it, apply loads the module with the patch (both effects seen),
#    list reports it, disable removes both;
#  - --module naming another module is refused, naming both.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
lp_setup

# The object alone in a directory of its own (root's, not group-writable).
DIR=$TDIR/shipped
mkdir -m 700 "$DIR"
cp "$(patch_obj t-lp@1)" "$DIR/t-lp@1.bpf.o"
OBJ=$DIR/t-lp@1.bpf.o

# refused CMD...: bpflp fails with one error line matching WANT, nothing changes.
refused() {
	local want=$1 tree out rc=0
	shift
	tree=$(bpffs_tree)
	out=$("$BPFLP" "$@" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status of bpflp $1"
	assert_match "$out" "^bpflp: error: $want" "message of bpflp $1"
	assert_eq "$(wc -l <<< "$out")" 1 "one line from bpflp $1"
	assert_eq "$(bpffs_tree)" "$tree" "bpffs after the refused $1"
	lp_assert "" none "" "after the refused $1"
}

refused ".*$DIR/bpflp_klp_v1.ko" apply "$OBJ"
refused ".*$DIR/bpflp_klp_v1.ko" check "$OBJ"

cp "$(lp_ko bpflp_klp_v1)" "$DIR/"
out=$(bpflp_ok check "$OBJ")
assert_match "$out" "ok  livepatch module bpflp_klp_v1 " "check names the declared module"
refused "$OBJ declares livepatch module bpflp_klp_v1, but --module gives .*bpflp_klp_v2.ko: drop --module or give bpflp_klp_v1.ko" \
	apply "$OBJ" --module "$(lp_ko bpflp_klp_v2)"

out=$(bpflp_ok apply "$OBJ")
assert_match "$out" "with livepatch module bpflp_klp_v1" "apply without --module"
lp_assert t-lp@1 v1 bpflp_klp_v1 "after apply"
assert_behaviour "EPERM EPERM ok" "with t-lp@1"
assert_eq "$("$BPFLP" -j list | jq -r '.patches[] | select(.name == "t-lp") | .livepatch_module.name')" \
	bpflp_klp_v1 "list -j: t-lp@1's module"

bpflp_ok disable t-lp > /dev/null
lp_assert "" none "" "after disable"
