#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp uses and unloads only its own companion module, told by more than
# a name and a version: a module named bpflp_companion that claims bpflp's
# version and ABI in its modinfo, loaded first, is refused. Twice: without
# a device, and with a /dev/bpflp_companion that does not answer bpflp's
# identity ioctl. For each:
#  - a companion apply fails with one error line saying the module is not
#    bpflp's and to rmmod it, and changes nothing (bpffs, links,
#    trampolines, records; the function is not replaced);
#  - probe says the companion route is not there, and why;
#  - an fmod_ret-only apply and disable work and leave that module loaded
#    (the very one: its srcversion).
# Then, the foreign module removed, bpflp loads its own, which answers, and
# unloads it with the last patch.
#
# The foreign module is selftests/kmod/bpflp_foreigner.c: kbuild names a module after
# its file, so it is built as bpflp_foreigner.ko (a name of the same length)
# and copied here with that name rewritten to bpflp_companion.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

NAME=bpflp_companion
KO=$(kmod_path $NAME)
FOREIGN=$TDIR/$NAME.ko
perl -0777 -pe 's/bpflp_foreigner/bpflp_companion/g' "$(kmod_path bpflp_foreigner)" > "$FOREIGN"
assert_eq "$(modinfo -F name "$FOREIGN")" $NAME "the foreign module's name"
assert_eq "$(modinfo -F version "$FOREIGN")" "$(modinfo -F version "$KO")" "it claims bpflp's version"
[[ ! -e /sys/module/$NAME ]] || fail "$NAME is loaded before the test"
on_exit "rmmod $NAME 2> /dev/null"
DIR=$(mktemp -d /tmp/bpflp-ident.XXXXXX)	# a tmpfs: statfs() runs shmem_statfs
on_exit "rm -rf '$DIR'"
: > "$DIR/bpflp-c-s1"

loaded_srcversion() { cat "/sys/module/$NAME/srcversion" 2> /dev/null || echo none; }
refusal="a module named $NAME is loaded but is not bpflp's \((it has no /dev/$NAME|/dev/$NAME does not answer bpflp's identity ioctl)\): remove it \(rmmod $NAME\) and retry"

for params in "" "device=1"; do
	echo "# a foreign $NAME loaded${params:+ with $params}"
	insmod "$FOREIGN" $params || fail "cannot load the foreign module"
	foreign=$(loaded_srcversion)
	assert_eq "$foreign" "$(modinfo -F srcversion "$FOREIGN")" "the foreign module is loaded"
	[[ -z $params || -c /dev/$NAME ]] || fail "the foreign module has no /dev/$NAME"
	before=$(kernel_state)
	rc=0
	out=$("$BPFLP" apply "$(patch_obj c@1)" 2>&1) || rc=$?
	assert_eq "$rc:$(wc -l <<< "$out")" "1:1" "companion apply: exit 1, one line"
	assert_match "$out" "^bpflp: error: .*$refusal$" "companion apply: the module is not bpflp's, rmmod it"
	assert_eq "$(kernel_state)" "$before" "the refused apply changed nothing"
	assert_eq "$("$PROBE" statfs "$DIR/bpflp-c-s1")" ok "shmem_statfs not replaced"
	assert_eq "$(loaded_srcversion)" "$foreign" "the foreign module still loaded after the refusal"
	rc=0
	out=$("$BPFLP" -j probe shmem_statfs) || rc=$?
	assert_eq "$rc:$(jq -r '.[0].route' <<< "$out")" "0:observe_only" "probe: no companion route"
	assert_match "$(jq -r '.[0].reason' <<< "$out")" "$refusal" "probe: why"

	bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
	assert_behaviour "EPERM ok ok" "with t-a@1 (fmod_ret)"
	bpflp_ok disable t-a@1 > /dev/null
	assert_behaviour "ok ok ok" "after disable"
	assert_eq "$(loaded_srcversion)" "$foreign" "an fmod_ret apply and disable leave the foreign module loaded"
	rmmod $NAME || fail "cannot remove the foreign module"
done

echo "# bpflp's own module"
assert_eq "$(bpflp_ok apply "$(patch_obj c@1)")" "applied c@1 (replace, 2 functions)" "companion apply with the foreign module gone"
assert_eq "$(loaded_srcversion)" "$(modinfo -F srcversion "$KO")" "bpflp loaded its own module"
assert_eq "$("$PROBE" statfs "$DIR/bpflp-c-s1")" ENOSYS "shmem_statfs replaced"
bpflp_ok disable c > /dev/null
assert_eq "$(loaded_srcversion)" none "bpflp unloaded its own module with the last patch"
