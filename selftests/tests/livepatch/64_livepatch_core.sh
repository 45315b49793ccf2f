#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A cumulative patch carrying a livepatch module (apply --module), through
# its life: apply t-v@1 + bpflp_klp_v1 (both effects seen: the BPF patch's
# errnos and the module's /proc/version), upgrade to t-v@2 + bpflp_klp_v2
# (livepatch atomic replace; v1 disabled and removed), downgrade to t-v@1
# without a module (v2 disabled and removed in the same transaction), then
# a module patch disabled. list and show report the module (plain and JSON,
# valid against the schema); sysfs and lsmod agree.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
lp_setup

schema_valid() { schema_expect "$1" "$2" "the $1 document"; }
V1=$(patch_obj t-v@1)
V2=$(patch_obj t-v@2)
KO1=$(lp_ko bpflp_klp_v1)
KO2=$(lp_ko bpflp_klp_v2)
MARK=$(kernel_log_mark)

# ---- check --module: changes nothing ---------------------------------------
out=$(bpflp_ok check "$V1" --module "$KO1")
assert_match "$out" "ok  livepatch module bpflp_klp_v1 .*patches vmlinux:version_proc_show" "check --module"
json=$(bpflp_ok -j check "$V1" --module "$KO1")
schema_valid check "$json"
assert_eq "$(jq -r '.livepatch_module | "\(.name) \(.patches | join(","))"' <<< "$json")" \
	"bpflp_klp_v1 vmlinux:version_proc_show" "check -j: livepatch_module"
lp_assert "" none "" "after check"

# ---- apply with a module ---------------------------------------------------
SECONDS=0
json=$("$BPFLP" -j apply "$V1" --module "$KO1") || fail "apply t-v@1 --module bpflp_klp_v1 failed"
echo "  apply with module: ${SECONDS} s"
schema_valid apply "$json"
assert_eq "$(jq -r '"\(.livepatch_module) \(.livepatch_module_removed)"' <<< "$json")" \
	"bpflp_klp_v1 null" "apply -j: module inserted, none removed"
lp_assert t-v@1 v1 bpflp_klp_v1 "with t-v@1 + v1"
assert_behaviour "EPERM EPERM ok" "with t-v@1 + v1"
list=$(bpflp_ok -j list)
schema_valid list "$list"
assert_eq "$(jq -c '.patches[] | select(.state == "active") | .livepatch_module | [.name, .loaded, .enabled, .transition, .forced, .functions]' <<< "$list")" \
	'["bpflp_klp_v1",true,1,0,false,["vmlinux:version_proc_show,1"]]' "list -j: the module, from sysfs"
show=$(bpflp_ok -j show t-v)
schema_valid show "$show"
assert_eq "$(jq -r .livepatch_module.path <<< "$show")" "$KO1" "show -j: module path"
assert_match "$(bpflp_ok list)" "livepatch module bpflp_klp_v1: enabled, transition 0, patches vmlinux:version_proc_show,1" "list: the module"
assert_match "$(bpflp_ok show t-v)" "livepatch module bpflp_klp_v1: enabled" "show: the module"

# ---- upgrade: the module replaced through livepatch's atomic replace -------
out=$(bpflp_ok apply "$V2" --module "$KO2")
assert_eq "$out" "applied t-v@2 (replace, 1 function) with livepatch module bpflp_klp_v2; replaced t-v@1; livepatch module bpflp_klp_v1 removed" "apply t-v@2 + v2"
lp_assert t-v@2 v2 bpflp_klp_v2 "with t-v@2 + v2"
assert_behaviour "EACCES ok ok" "with t-v@2 + v2"
assert_match "$(dmesg | grep "livepatch: 'bpflp_klp_v2'" | tail -n1)" "patching complete" "kernel log: v2 patching complete"
assert_eq "$(dmesg | sed -n "/$MARK/,\$p" | grep -c "'bpflp_klp_v1': starting unpatching")" 0 \
	"v1 was replaced, never unpatched on its own"

# ---- downgrade without a module: v2 disabled and removed --------------------
json=$("$BPFLP" -j apply "$V1") || fail "apply t-v@1 (no module) failed"
schema_valid apply "$json"
assert_eq "$(jq -r '"\(.livepatch_module) \(.livepatch_module_removed)"' <<< "$json")" \
	"null bpflp_klp_v2" "apply -j: no module, v2 removed"
lp_assert t-v@1 none "" "with t-v@1, no module"
assert_behaviour "EPERM EPERM ok" "with t-v@1, no module"
assert_eq "$(bpflp_ok -j list | jq -c '[.patches[].livepatch_module] | unique')" "[null]" \
	"list -j: no patch has a module"

# ---- disable a patch with a module ------------------------------------------
bpflp_ok apply "$V2" --module "$KO2" > /dev/null
lp_assert t-v@2 v2 bpflp_klp_v2 "with t-v@2 + v2 again"
json=$("$BPFLP" -j disable t-v) || fail "disable t-v failed"
schema_valid disable "$json"
assert_eq "$(jq -r .livepatch_module_removed <<< "$json")" "bpflp_klp_v2" "disable -j: module removed"
lp_assert "" none "" "after disable"
assert_behaviour "ok ok ok" "after disable"
assert_kernel_log_clean "$MARK"
schema_verify 6
