#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad livepatch modules given to check and apply --module: not a
# livepatch, built for another kernel (vermagic), patching a function this
# kernel lacks, already loaded, and --module with --stack. Each gets one
# error line naming the problem and the fix, exit 1, and nothing changes:
# no module loaded, the same pins, links, trampolines and records.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
lp_setup

V1=$(patch_obj t-v@1)
V2=$(patch_obj t-v@2)
OTHER=$TDIR/bpflp_klp_other.ko
# The same file with another release in its vermagic.
with_other_vermagic "$(lp_ko bpflp_klp_v2)" "$OTHER"

bpflp_ok apply "$V1" --module "$(lp_ko bpflp_klp_v1)" > /dev/null
lp_assert t-v@1 v1 bpflp_klp_v1 "set-up"
before=$(kernel_state)

# refused VERB KO REGEX [EXTRA...]: bpflp VERB OBJ --module KO fails with one error line.
refused() {
	local verb=$1 ko=$2 want=$3 err rc=0
	shift 3
	err=$("$BPFLP" "$verb" "$V2" --module "$ko" "$@" 2>&1 > /dev/null) || rc=$?
	assert_eq "$rc" 1 "$verb --module $(basename "$ko") $*: exit code"
	assert_eq "$(wc -l <<< "$err")" 1 "$verb --module $(basename "$ko"): one error line"
	assert_match "$err" "^bpflp: error: $want" "$verb --module $(basename "$ko"): the error"
}

for verb in check apply; do
	refused $verb "$(lp_ko bpflp_klp_plain)" ".*bpflp_klp_plain.ko \(bpflp_klp_plain\) is not a livepatch module.*: give --module a module with a klp_patch"
	refused $verb "$OTHER" ".*is built for kernel $(re_quote "$(other_release)"), this one is $(re_quote "$(uname -r)"): rebuild it against this kernel's headers"
	refused $verb "$(lp_ko bpflp_klp_missing)" ".*patches vmlinux:bpflp_no_such_function, which this kernel does not have.*: build the livepatch against this kernel's sources"
	refused $verb "$TDIR/none.ko" "cannot read livepatch module $TDIR/none.ko: No such file or directory"
done
refused apply "$(lp_ko bpflp_klp_v1)" "a module named bpflp_klp_v1 is already loaded \(the active patch's\): each version of a livepatch module needs its own name"
refused apply "$(lp_ko bpflp_klp_v2)" "cannot use --stack with --module: a livepatch module replaces every other livepatch.*apply the patch without --stack" --stack
refused apply "$(lp_ko bpflp_klp_v2)" "bad --timeout 'x': give a whole number of seconds" --timeout x
assert_eq "$(kernel_state)" "$before" "BPF state after every refusal"
lp_assert t-v@1 v1 bpflp_klp_v1 "after every refusal"
