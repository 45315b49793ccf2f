#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Livepatch modules as users have them, without bpflp's bpflp_patches tag:
# bpflp reads what they patch from their klp_patch (the .ko's relocations,
# the kernel's BTF for the layout).
#  - check -j lists each module's OBJECT:FUNCTION[,SYMPOS]: the kernel
#    sample with .replace = true (bpflp_klp_stock), one choosing
#    load_elf_binary by .old_sympos, one patching the 9p and 9pnet modules;
#  - apply --module bpflp_klp_stock: /proc/cmdline changes, list shows the
#    function sysfs lists;
#  - the sample as it ships (no .replace) is refused by check and apply with
#    one line naming the fix, and nothing changes: not loaded, the same
#    livepatches in sysfs, the previous patch and its module still active;
#  - a tagged module (bpflp_klp_v2) then replaces the untagged one;
#  - kpatch-build's shape (.kpatch.funcs, a klp_patch built at load time):
#    check -j reads its functions; the --non-replace build is inserted,
#    found stacked on bpflp_klp_v2 and reversed, with one line, nothing
#    changed (and by recover, when apply was killed once it was in); the
#    cumulative build then replaces t-v@2 + v2 (a downgrade
#    to t-v@1 carrying it).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
LP_MODULES+=" bpflp_klp_stock bpflp_klp_sample bpflp_klp_sympos bpflp_klp_9p"
LP_MODULES+=" bpflp_klp_kpatch bpflp_klp_kpatch_nr"
ORIG_CMDLINE=$(cat /proc/cmdline)
lp_setup

V1=$(patch_obj t-v@1)
V2=$(patch_obj t-v@2)
STOCK_TEXT="bpflp_klp_stock: this has been live patched"
KPATCH_TEXT="bpflp_klp_kpatch: this has been live patched"

# patches KO: the functions check -j reads from module KO.
patches() {
	local json
	json=$("$BPFLP" -j check "$V1" --module "$(lp_ko "$1")") || fail "check -j --module $1.ko failed: $json"
	jq -r '.livepatch_module | "\(.verdict): \(.patches | join(" "))"' <<< "$json"
}

# ---- check reads untagged modules -------------------------------------------
for m in bpflp_klp_stock bpflp_klp_sample bpflp_klp_sympos bpflp_klp_9p; do
	modinfo -F bpflp_patches "$(lp_ko $m)" | grep -q . && fail "$m.ko has a bpflp_patches tag"
done
assert_eq "$(patches bpflp_klp_stock)" "ok: vmlinux:cmdline_proc_show" "check -j: the stock module"
assert_eq "$(grep -c ' [tT] load_elf_binary$' /proc/kallsyms)" 2 "load_elf_binary: two in vmlinux"
assert_eq "$(patches bpflp_klp_sympos)" "ok: vmlinux:cmdline_proc_show vmlinux:load_elf_binary,2" \
	"check -j: old_sympos read"
[[ -e /sys/module/9p && -e /sys/module/9pnet ]] || fail "9p and 9pnet are not loaded in the VM"
assert_eq "$(patches bpflp_klp_9p)" "ok: 9p:v9fs_show_options 9pnet:p9_client_statfs" \
	"check -j: module objects read"
out=$(bpflp_ok check "$V1" --module "$(lp_ko bpflp_klp_stock)")
assert_match "$out" "ok  livepatch module bpflp_klp_stock .*patches vmlinux:cmdline_proc_show" "check: the stock module"
lp_assert "" none "" "after check"
assert_eq "$(cat /proc/cmdline)" "$ORIG_CMDLINE" "/proc/cmdline after check"

# ---- apply the stock module -------------------------------------------------
out=$(bpflp_ok apply "$V1" --module "$(lp_ko bpflp_klp_stock)")
assert_match "$out" "^applied t-v@1 \(replace, 2 functions\) with livepatch module bpflp_klp_stock$" "apply --module bpflp_klp_stock"
lp_assert t-v@1 none bpflp_klp_stock "with t-v@1 + stock"
assert_eq "$(cat /proc/cmdline)" "$STOCK_TEXT" "/proc/cmdline with the stock module"
assert_behaviour "EPERM EPERM ok" "with t-v@1 + stock"
assert_eq "$("$BPFLP" -j list | jq -c '.patches[] | select(.state == "active") | .livepatch_module | [.name, .functions]')" \
	'["bpflp_klp_stock",["vmlinux:cmdline_proc_show,1"]]' "list -j: the stock module's functions"
assert_match "$(bpflp_ok list)" "livepatch module bpflp_klp_stock: enabled, transition 0, patches vmlinux:cmdline_proc_show,1" "list: the stock module"

# ---- the sample as it ships: refused, nothing changes -----------------------
before=$(kernel_state)
lps=$(ls "$LP_SYSFS")
SAMPLE=$(lp_ko bpflp_klp_sample)
for verb in check apply; do
	rc=0
	err=$("$BPFLP" $verb "$V2" --module "$SAMPLE" 2>&1 > /dev/null) || rc=$?
	assert_eq "$rc" 1 "$verb --module bpflp_klp_sample.ko: exit code"
	assert_eq "$(wc -l <<< "$err")" 1 "$verb --module bpflp_klp_sample.ko: one error line"
	assert_match "$err" "^bpflp: error: .*bpflp_klp_sample.ko is not a cumulative livepatch \(\.replace = false\): bpflp replaces the previous livepatch in one transaction; rebuild it with \.replace = true$" \
		"$verb --module bpflp_klp_sample.ko: the error"
	[[ ! -e /sys/module/bpflp_klp_sample ]] || fail "$verb loaded bpflp_klp_sample"
	assert_eq "$(ls "$LP_SYSFS")" "$lps" "$LP_SYSFS after $verb of the sample"
done
assert_eq "$(kernel_state)" "$before" "BPF state after the refusals"
lp_assert t-v@1 none bpflp_klp_stock "after the refusals"
assert_eq "$(cat /proc/cmdline)" "$STOCK_TEXT" "/proc/cmdline after the refusals"

# ---- a tagged module replaces the untagged one ------------------------------
out=$(bpflp_ok apply "$V2" --module "$(lp_ko bpflp_klp_v2)")
assert_eq "$out" "applied t-v@2 (replace, 1 function) with livepatch module bpflp_klp_v2; replaced t-v@1; livepatch module bpflp_klp_stock removed" "apply t-v@2 + v2 over the stock module"
lp_assert t-v@2 v2 bpflp_klp_v2 "with t-v@2 + v2"
assert_eq "$(cat /proc/cmdline)" "$ORIG_CMDLINE" "/proc/cmdline back to the kernel's"
# ---- kpatch-build's modules ---------------------------------------------------
for m in bpflp_klp_kpatch bpflp_klp_kpatch_nr; do
	assert_eq "$(patches $m)" "ok: vmlinux:cmdline_proc_show" "check -j: $m's .kpatch.funcs"
done
assert_eq "$("$BPFLP" -j check "$V1" --module "$(lp_ko bpflp_klp_kpatch)" | jq -r .livepatch_module.replace)" \
	checked_at_load "check -j: .replace is checked once loaded"
assert_eq "$("$BPFLP" -j check "$V1" --module "$(lp_ko bpflp_klp_stock)" | jq -r .livepatch_module.replace)" \
	read "check -j: .replace read from the stock module"
assert_match "$(bpflp_ok check "$V1" --module "$(lp_ko bpflp_klp_kpatch)")" \
	"kpatch-build sets .replace in code: bpflp checks it replaced the previous livepatch once loaded" \
	"check: says when .replace is checked"
before=$(kernel_state)
lps=$(ls "$LP_SYSFS")
rc=0
"$BPFLP" apply "$V1" --module "$(lp_ko bpflp_klp_kpatch_nr)" 2> "$TDIR/err" > /dev/null || rc=$?
assert_eq "$rc" 1 "apply --module bpflp_klp_kpatch_nr.ko: exit code"
# The transitions' progress lines aside ("in transition for 1 s"), one error.
assert_eq "$(grep -v ': in transition for ' "$TDIR/err")" "bpflp: error: livepatch module bpflp_klp_kpatch_nr stacked on bpflp_klp_v2 instead of replacing it (.replace = false, or kpatch-build --non-replace): reversed, nothing changed; rebuild it as a cumulative livepatch" \
	"apply --module bpflp_klp_kpatch_nr.ko: the error"
[[ ! -e /sys/module/bpflp_klp_kpatch_nr ]] || fail "bpflp_klp_kpatch_nr left loaded"
assert_eq "$(ls "$LP_SYSFS")" "$lps" "$LP_SYSFS after the reversal"
assert_eq "$(kernel_state)" "$before" "BPF state after the reversal"
lp_assert t-v@2 v2 bpflp_klp_v2 "after the reversal"
assert_eq "$(cat /proc/cmdline)" "$ORIG_CMDLINE" "/proc/cmdline after the reversal"
# Killed once the module is in, before bpflp looked: recover finds it stacked and reverses it.
rc=0
BPFLP_FAULT=klp-inserted "$BPFLP" apply "$V1" --module "$(lp_ko bpflp_klp_kpatch_nr)" > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 137 "apply --module bpflp_klp_kpatch_nr.ko killed at klp-inserted"
bpflp_ok recover > /dev/null
[[ ! -e /sys/module/bpflp_klp_kpatch_nr ]] || fail "bpflp_klp_kpatch_nr left loaded by recover"
assert_eq "$(kernel_state)" "$before" "BPF state after recover"
lp_assert t-v@2 v2 bpflp_klp_v2 "after recover"

out=$(bpflp_ok apply "$V1" --module "$(lp_ko bpflp_klp_kpatch)")
assert_eq "$out" "applied t-v@1 (replace, 2 functions) with livepatch module bpflp_klp_kpatch; replaced t-v@2; livepatch module bpflp_klp_v2 removed" "apply t-v@1 + the kpatch-build module"
lp_assert t-v@1 none bpflp_klp_kpatch "with t-v@1 + kpatch"
assert_eq "$(cat /proc/cmdline)" "$KPATCH_TEXT" "/proc/cmdline with the kpatch-build module"

bpflp_ok disable t-v > /dev/null
lp_assert "" none "" "after disable"
