#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Shadow variables across cumulative patches: t-sh@1 counts opens per task
# in the shadow "rl" (limit 3), t-sh@2 keeps the counts (limit 5), the
# downgrade to t-sh@1 keeps them again; a new layout is refused without a
# migration (check and apply, nothing changed) and converted with one;
# `disable --keep-shadow` keeps the shadow for a later patch, plain disable
# and a replace by a patch not declaring it free it; a stacked patch shares
# it; a shadow pin deleted by hand is pinned again from the patch's
# programs. Checked through the patched behaviour and with bpftool map dump.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
. "$(dirname "$0")/lib.bash"
shadow_setup

assert_ok "$BPFLP" check "$(patch_obj t-sh-api@1)" > /dev/null
echo "  ok: the verifier accepts every shadow helper (t-sh-api@1)"

out=$(bpflp_ok apply "$(patch_obj t-sh@1)")
assert_eq "$out" "applied t-sh@1 (replace, 1 function); shadow rl created" "apply t-sh@1"
assert_opens 4 "ok ok ok EPERM" "t-sh@1: limit 3"
assert_eq "$(shadow_values rl)" '[{"opens":4}]' "bpftool dump after t-sh@1"
assert_eq "$(list_query '.patches[] | select(.state == "active") | .shadows[] | "\(.name) \(.layout) \(.entries)"')" \
	"rl struct sh_rl {__u64 opens;} 1" "list: shadow, layout, entries"
map_id=$(shadow_map_id rl)

out=$(bpflp_ok apply "$(patch_obj t-sh@2)")
assert_eq "$out" "applied t-sh@2 (replace, 1 function); replaced t-sh@1; shadow rl inherited" "upgrade to t-sh@2"
assert_eq "$(shadow_map_id rl)" "$map_id" "t-sh@2 runs on the very map"
assert_opens 2 "ok EACCES" "t-sh@2: counts kept (4), limit 5"
assert_eq "$(shadow_values rl)" '[{"opens":6}]' "bpftool dump after t-sh@2"

# Its pin deleted by hand, the shadow is pinned again from t-sh@2's programs: the downgrade still inherits it.
rm "$SHADOW/rl"
out=$(bpflp_ok apply "$(patch_obj t-sh@1)" 2> /dev/null)
assert_eq "$out" "applied t-sh@1 (replace, 1 function); replaced t-sh@2; shadow rl inherited" "downgrade to t-sh@1"
assert_eq "$(shadow_map_id rl)" "$map_id" "t-sh@1 runs on the very map again"
assert_opens 1 "EPERM" "t-sh@1 again: counts kept (6)"
assert_eq "$(shadow_values rl)" '[{"opens":7}]' "bpftool dump after the downgrade"

# A new layout without a migration: refused by check and apply, nothing changed.
before=$(kernel_state)
refusal="shadow rl differs from the one in $SHADOW/rl at field 'opens': __u64 at offset 0 \(8 bytes\) there, __u32 at offset 0 \(4 bytes\) here; .*BPFLP_SHADOW_MIGRATE"
bpflp_refused "check of a new layout" "$refusal" check "$(patch_obj t-sh@3.nomig)"
bpflp_refused "apply of a new layout" "$refusal" apply "$(patch_obj t-sh@3.nomig)"
assert_eq "$(kernel_state)" "$before" "state after the refusals"
assert_opens 1 "EPERM" "t-sh@1 still serves (count 8)"

# With a migration: a fresh map, every entry converted, the old one freed.
out=$(bpflp_ok apply "$(patch_obj t-sh@3)")
assert_eq "$out" "applied t-sh@3 (replace, 1 function); replaced t-sh@1; shadow rl migrated (1 entries)" "apply t-sh@3"
assert_eq "$(shadow_values rl)" '[{"opens":8,"limit":8}]' "bpftool dump after the migration"
[[ $(shadow_map_id rl) != "$map_id" ]] || fail "the migration kept the old map"
assert_eq "$(shadow_pins)" "rl " "shadow pins after the migration"
assert_opens 2 "EROFS EROFS" "t-sh@3: converted count 8 past its limit 8"
bpflp_refused "downgrade across a layout change" "at field 'opens': __u32 at offset 0 \(4 bytes\) there, __u64" \
	apply "$(patch_obj t-sh@1)"

# disable --keep-shadow keeps it, out of the way; the next patch declaring it takes it back.
bpflp_ok disable t-sh --keep-shadow > /dev/null
assert_eq "$(shadow_pins)" "kept kept/rl " "pins after disable --keep-shadow"
assert_eq "$(list_query '.kept_shadows[] | "\(.name) \(.layout) \(.entries)"')" \
	"rl struct sh_rl3 {__u32 opens; __u32 limit;} 1" "list: the kept shadow"
out=$(bpflp_ok apply "$(patch_obj t-sh@3)")
assert_eq "$out" "applied t-sh@3 (replace, 1 function); shadow rl inherited" "re-apply takes the kept shadow"
assert_eq "$(shadow_pins)" "rl " "pins after taking it back"
assert_eq "$(shadow_values rl)" '[{"opens":10,"limit":8}]' "kept counts"

# Plain disable frees it.
map_id=$(shadow_map_id rl)
bpflp_ok disable t-sh > /dev/null
[[ ! -e $SHADOW ]] || fail "disable left $(find "$SHADOW")"
wait_for 60 bash -c "! bpftool map show id $map_id > /dev/null 2>&1" || fail "map $map_id still in the kernel"
echo "  ok: disable freed the shadow (map $map_id gone)"

# Stacked patches share it; it lives while one of them declares it.
bpflp_ok apply "$(patch_obj t-sh@1)" > /dev/null
out=$(bpflp_ok apply --stack "$(patch_obj t-sh-s@1)")
assert_eq "$out" "applied t-sh-s@1 (stack, 1 function); shadow rl inherited" "stacked patch shares rl"
assert_opens 2 "ok ok" "t-sh-s@1 (newest) serves, limit 100"
bpflp_ok disable t-sh > /dev/null
assert_eq "$(shadow_values rl)" '[{"opens":2}]' "rl kept while t-sh-s declares it"
# A replace by a patch that does not declare it frees it.
bpflp_ok apply "$(patch_obj t-v@1)" > /dev/null
[[ ! -e $SHADOW ]] || fail "replace by t-v@1 left $(find "$SHADOW")"
echo "  ok: a replace by a patch without the shadow freed it"

# The demo series' fix with state: cve-fixes v4 takes v3's per-task counts over.
bpflp_ok apply "$(build_path examples/cve-fixes-v3.bpf.o)" > /dev/null
out=$(bpflp_ok apply "$(build_path examples/cve-fixes-v4.bpf.o)")
assert_match "$out" "replaced cve-fixes@3; shadow perf_rl inherited$" "cve-fixes@4 inherits perf_rl"
bpflp_ok disable cve-fixes > /dev/null
[[ ! -e $SHADOW ]] || fail "disable cve-fixes left $(find "$SHADOW")"
