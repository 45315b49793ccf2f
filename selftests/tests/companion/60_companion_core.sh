#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The companion route end to end, asserted with system calls: c@1 replaces
# shmem_statfs (statfs() -> ENOSYS) and vfs_truncate (truncate() -> EDQUOT),
# two functions fmod_ret cannot reach here; c@2 reverts the first and
# upgrades the second (EROFS) in one replace; re-applying c@1 downgrades;
# c-mixed stacks over c@2 on the same function (newest wins), then mixed
# patches (a security hook on fmod_ret plus a companion function) replace
# each other. Each step checks the module's attachments, the ftrace hooks
# (IPMODIFY, no trampoline) and `bpflp show`; after disable no hook, no
# program and no module is left. Then the refusals: a module built for
# another kernel or another bpflp version (nothing changes), and a function
# a livepatch holds (EBUSY, nothing changes).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

KO=$(kmod_path bpflp_companion)
[[ -r $KO ]] || fail "no $KO: run make kmod"
DIR=$(mktemp -d /tmp/bpflp-comp.XXXXXX)	# a tmpfs: statfs() runs shmem_statfs
on_exit "rm -rf '$DIR'"
S=$DIR/bpflp-c-s1 T=$DIR/bpflp-c-t1 O=$DIR/bpflp-c-o1
: > "$S"
: > "$O"
: > "$DIR/other"
DEV=/dev/bpflp_companion

# "STATFS TRUNCATE OPEN" outcomes on the targets; a control file always works.
comp_behaviour() {
	local c
	c="$("$PROBE" statfs "$DIR/other") $("$PROBE" truncate "$DIR/other") $("$PROBE" open "$DIR/other")"
	[[ $c == "ok ok ok" ]] || fail "control file: $c"
	echo "$("$PROBE" statfs "$S") $("$PROBE" truncate "$T") $("$PROBE" open "$O")"
}
assert_comp() { assert_eq "$(comp_behaviour)" "$1" "statfs/truncate/open outcomes $2"; }
# The functions the module holds, sorted, from its listing.
attached_funcs() { [[ -r $DEV ]] && awk '{ print $3 }' "$DEV" | sort | tr '\n' ' ' | sed 's/ $//'; }
# ftrace flags of a function's hook ("" when unhooked): I = IPMODIFY, D = direct (a trampoline).
# M (6.12: the direct call was modified at some time) is history, not a hook: left out.
hook_flags() { awk -v f="$1" '$1 == f { $1 = ""; $2 = ""; print }' "$TRACING/enabled_functions" | grep -o '\b[RID]\b' | tr -d '\n'; }
module_loaded() { [[ -e /sys/module/bpflp_companion ]] && echo yes || echo no; }
no_replace_progs() { ! bpftool -j prog list | jq -e '.[] | select(.name // "" | endswith("__replace"))' > /dev/null; }
klp_settled() { [[ $(cat /sys/kernel/livepatch/bpflp_test_klp/transition 2> /dev/null) == 0 ]]; }
klp_gone() { [[ ! -e /sys/kernel/livepatch/bpflp_test_klp ]]; }

MARK=$(kernel_log_mark)
assert_comp "ok ok ok" "before any patch"
assert_eq "$(module_loaded)" no "module before any patch"

# ---- apply --------------------------------------------------------------
assert_eq "$(bpflp_ok apply "$(patch_obj c@1)")" "applied c@1 (replace, 2 functions)" "apply c@1"
assert_comp "ENOSYS EDQUOT ok" "with c@1"
assert_eq "$(module_loaded)" yes "module loaded by the first companion apply"
assert_eq "$(attached_funcs)" "shmem_statfs vfs_truncate" "module attachments with c@1"
assert_eq "$(hook_flags vfs_truncate)" "RI" "vfs_truncate: an IPMODIFY ftrace hook, no trampoline"
assert_eq "$(hook_flags shmem_statfs)" "RI" "shmem_statfs: an IPMODIFY ftrace hook, no trampoline"
show=$(bpflp_ok -j show c)
assert_eq "$(jq -r '[.functions[] | "\(.function):\(.attach_type):\(.attached_via):\(.attached)"] | join(" ")' <<< "$show")" \
	"shmem_statfs:replace:companion_module:true vfs_truncate:replace:companion_module:true" "show: functions"
for f in shmem_statfs vfs_truncate; do
	id=$(jq -r --arg f "$f" '.functions[] | select(.function == $f) | .prog_id' <<< "$show")
	assert_eq "$(awk -v f="$f" '$3 == f { print $1 }' "$DEV")" "$id" "$f: the module runs the program show reports"
	assert_eq "$(bpftool -j prog show id "$id" | jq -r .name)" "${f}__replace" "$f: program $id's name"
done
c1_ids=$(jq -r '[.functions[].prog_id] | join(" ")' <<< "$show")
schema_expect show "$show" "-j show of a companion-route patch"
overrides=$(bpflp_ok -j show c | jq -r '.functions[] | select(.function == "vfs_truncate") | .overrides')
((overrides >= 1)) || fail "show: vfs_truncate overrides $overrides, want >= 1"
assert_eq "$(patch_pins c@1)" \
	"fingerprints meta shmem_statfs__drop_prog shmem_statfs__replace_prog stats vfs_truncate__drop_prog vfs_truncate__replace_prog" \
	"c@1 pins: programs, no links"

# ---- replace: revert one function, upgrade the other --------------------
assert_eq "$(bpflp_ok apply "$(patch_obj c@2)")" "applied c@2 (replace, 1 function); replaced c@1" "apply c@2"
assert_comp "ok EROFS ok" "with c@2"
assert_eq "$(attached_funcs)" "vfs_truncate" "module attachments with c@2"
assert_eq "$(hook_flags shmem_statfs)" "" "shmem_statfs unhooked after the revert"
for id in $c1_ids; do
	wait_for 60 prog_gone "$id" || fail "c@1's program $id still loaded after the replace"
done

# ---- downgrade, then back -----------------------------------------------
assert_eq "$(bpflp_ok apply "$(patch_obj c@1)")" "applied c@1 (replace, 2 functions); replaced c@2" "downgrade to c@1"
assert_comp "ENOSYS EDQUOT ok" "after the downgrade"
assert_eq "$(bpflp_ok apply "$(patch_obj c@2)")" "applied c@2 (replace, 1 function); replaced c@1" "upgrade to c@2"

# ---- stack on the same function: the newest wins, disable restores ------
bpflp_ok apply --stack "$(patch_obj c-mixed@2)" > /dev/null
assert_comp "ok EDQUOT EACCES" "with c-mixed@2 stacked over c@2"
assert_eq "$(attached_funcs)" "vfs_truncate vfs_truncate" "both patches' programs on vfs_truncate"
assert_eq "$(hook_flags security_file_open)" "RD" "security_file_open: a trampoline (fmod_ret route)"
bpflp_ok disable c-mixed > /dev/null
assert_comp "ok EROFS ok" "after disabling the stacked patch"
assert_eq "$(attached_funcs)" "vfs_truncate" "module attachments after disabling the stacked patch"

# ---- mixed patches replacing each other ---------------------------------
bpflp_ok apply "$(patch_obj c-mixed@1)" > /dev/null
assert_comp "ENOSYS ok EPERM" "with c-mixed@1 (replaced c@2)"
assert_eq "$(attached_funcs)" "shmem_statfs" "module attachments with c-mixed@1"
bpflp_ok apply "$(patch_obj c-mixed@2)" > /dev/null
assert_comp "ok EDQUOT EACCES" "with c-mixed@2"
assert_eq "$(attached_funcs)" "vfs_truncate" "module attachments with c-mixed@2"

# ---- disable: nothing left ----------------------------------------------
assert_eq "$(bpflp_ok disable c-mixed)" "disabled c-mixed@2" "disable"
assert_comp "ok ok ok" "after disable"
assert_eq "$(module_loaded)" no "module unloaded with its last attachment"
[[ ! -e $DEV ]] || fail "$DEV still exists"
for f in shmem_statfs vfs_truncate security_file_open; do
	assert_untraced "$f" "after disable"
done
wait_for 60 no_replace_progs || fail "__replace programs still loaded after disable"
assert_eq "$(patch_pins c-mixed@2)" meta "pins left for c-mixed@2"

# ---- a module for another kernel or another bpflp: refused, nothing changes
before=$(kernel_state)
with_other_vermagic "$KO" "$DIR/other-kernel.ko"
out=$(BPFLP_KMOD=$DIR/other-kernel.ko "$BPFLP" apply "$(patch_obj c@1)" 2>&1) && fail "apply with a module for another kernel succeeded"
assert_match "$out" "other-kernel.ko is built for kernel $(re_quote "$(other_release)"), this one is $(re_quote "$(uname -r)"): rebuild it" \
	"module for another kernel: error"
assert_eq "$(wc -l <<< "$out")" 1 "module for another kernel: one line"
perl -pe 's/version=\d+\.\d+\.\d+/version=9.9.9/' "$KO" > "$DIR/other-version.ko"
out=$(BPFLP_KMOD=$DIR/other-version.ko "$BPFLP" apply "$(patch_obj c@1)" 2>&1) && fail "apply with a module of another version succeeded"
assert_match "$out" "other-version.ko is version 9.9.9, bpflp is" "module of another version: error"
assert_eq "$(module_loaded)" no "no module loaded by the refused applies"
assert_eq "$(kernel_state)" "$before" "kernel state after the refused applies"
assert_comp "ok ok ok" "after the refused applies"

# ---- a function a livepatch holds: EBUSY, nothing changes ---------------
KLP=$(kmod_path bpflp_test_klp)
insmod "$KLP" || fail "insmod $KLP"
on_exit "echo 0 > /sys/kernel/livepatch/bpflp_test_klp/enabled 2>/dev/null; sleep 1; rmmod bpflp_test_klp 2>/dev/null"
wait_for 30 klp_settled || fail "bpflp_test_klp did not finish its transition"
before=$(kernel_state)
out=$("$BPFLP" apply "$(patch_obj c-klp@1)" 2>&1) && fail "apply over a livepatched function succeeded"
assert_match "$out" "cannot replace cmdline_proc_show through the companion module: another ftrace user that modifies the instruction pointer \\(a livepatch or kprobe override\\) holds it" \
	"livepatched function: error"
assert_eq "$(kernel_state)" "$before" "kernel state after the refused apply"
assert_eq "$(module_loaded)" no "no module left by the refused apply"
grep -q "this has been live patched" /proc/cmdline || fail "the livepatch stopped working"
echo 0 > /sys/kernel/livepatch/bpflp_test_klp/enabled
wait_for 30 klp_gone || fail "bpflp_test_klp did not go"
rmmod bpflp_test_klp
bpflp_ok apply "$(patch_obj c-klp@1)" > /dev/null
cat /proc/cmdline > /dev/null 2>&1 && fail "reading /proc/cmdline still works under c-klp@1"
bpflp_ok disable c-klp > /dev/null
cat /proc/cmdline > /dev/null || fail "reading /proc/cmdline fails after disable"
assert_eq "$(module_loaded)" no "module unloaded after c-klp"
assert_kernel_log_clean "$MARK"
echo "  ok: companion route: apply, revert+upgrade, downgrade, stack, mixed, disable, refusals"
schema_verify 1
