#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Honest output and gc:
#  a) -j output is valid JSON in valid UTF-8 whatever bytes the object's path
#     holds (control characters, invalid UTF-8);
#  b) list's columns fit the longest name (32) and version (4294967295);
#  c) show and list print no slot for a patch that no longer owns one;
#  d) gc removes the records (meta pins and directories) of replaced and
#     disabled patches, never the active one, and says what it removed.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

# strict_json WHAT: stdin must be one JSON document in valid UTF-8 (jq would
# silently repair bad bytes: python's decoder does not).
strict_json() {
	python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8", "strict"))' ||
		fail "$1: not valid JSON in valid UTF-8"
	echo "  ok: $1: valid JSON, valid UTF-8"
}

echo "# a) odd bytes in the object path"
odd=$TDIR/$'odd\x01\x1f\xff\xc3(\xed\xa0\x80-\xc3\xa9'
mkdir "$odd"
cp "$(patch_obj t-a@1)" "$odd/t-a@1.bpf.o"
"$BPFLP" -j apply "$odd/t-a@1.bpf.o" | strict_json "apply -j"
"$BPFLP" -j list | strict_json "list -j"
"$BPFLP" -j show t-a | strict_json "show -j"
"$BPFLP" -j check "$odd/t-a@1.bpf.o" | strict_json "check -j"
"$BPFLP" -j apply "$odd/missing.bpf.o" | strict_json "apply -j error"
assert_eq "$(list_query '.patches[0].object')" \
	"$TDIR/odd"$'\x01\x1f\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd-\xc3\xa9/t-a@1.bpf.o' \
	"list -j: object path: bad bytes as U+FFFD, good UTF-8 kept"
assert_match "$("$BPFLP" -j list)" '"object":"[^"]*/odd\\u0001\\u001f' "list -j: control characters \\u-escaped"
assert_behaviour "EPERM ok ok" "with t-a@1"

echo "# b) columns fit the longest name and version"
bpflp_ok apply --stack "$(patch_obj t-long-name-for-column-widths-32@4294967295)" > /dev/null
assert_behaviour "EPERM EPERM ok" "with t-a@1 + t-long"
out=$(bpflp_ok list)
# Every row's STATE column starts where the header's does.
col=$(head -n1 <<< "$out" | grep -bo STATE | cut -d: -f1)
while read -r line; do
	assert_match "${line:$col:7}" "^(active |replaced|disable)" "STATE column aligned in '${line:0:50}...'"
done < <(tail -n +2 <<< "$out")
assert_match "$(sed -n 3p <<< "$out")" "^t-long-name-for-column-widths-32 4294967295 active " "longest name and version"
bpflp_ok disable t-long-name-for-column-widths-32@4294967295 > /dev/null

echo "# c) no slot for a patch that does not own one"
bpflp_ok apply "$(patch_obj t-b@1)" > /dev/null
assert_match "$(bpflp_ok show t-a@1)" "^t-a@1: replaced, replace mode, pinned in " "show of a replaced patch: no slot"
assert_match "$(bpflp_ok show t-b)" "^t-b@1: active, replace mode, slot [0-9]+, pinned in " "show of the active patch: its slot"
assert_eq "$("$BPFLP" -j show t-a@1 | jq -c .slot)" null "show -j of a replaced patch: slot null"
assert_eq "$(list_query '[.patches[] | "\(.name)@\(.version)=\(.state):\(.slot)"] | join(" ")')" \
	"t-a@1=replaced:null t-long-name-for-column-widths-32@4294967295=disabled:null t-b@1=active:$(patch_field t-b@1 slot)" \
	"list -j: slots of active patches only"
[[ $(patch_field t-b@1 slot) =~ ^[0-9]+$ ]] || fail "t-b@1 has no slot"

echo "# d) gc"
pins_before=$(patch_pins t-b@1)
out=$(bpflp_ok gc)
assert_eq "$out" "removed t-a@1 (replaced)
removed t-long-name-for-column-widths-32@4294967295 (disabled)" "gc: what it removed"
assert_eq "$(ls "$STORE/patches")" "t-b@1" "only the active patch's directory is left"
assert_eq "$(patch_pins t-b@1)" "$pins_before" "the active patch's pins are untouched"
assert_eq "$(list_query '[.patches[] | "\(.name)@\(.version)"] | join(" ")')" "t-b@1" "records after gc"
assert_behaviour "ok EPERM ok" "t-b@1 still serves calls"
assert_eq "$(bpflp_ok -j gc | jq -c .)" '{"removed":[]}' "gc -j with nothing to remove"
assert_eq "$(bpflp_ok gc)" "no replaced or disabled patches: nothing to remove" "gc with nothing to remove"
bpflp_ok disable t-b > /dev/null
assert_eq "$(bpflp_ok -j gc | jq -c .)" '{"removed":[{"name":"t-b","version":1,"state":"disabled"}]}' "gc -j"
assert_eq "$(ls "$STORE/patches")" "" "no records left"
