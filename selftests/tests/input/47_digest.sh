#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The record keeps the SHA-256 of the object applied. Applying another
# object with the same NAME@VERSION is refused with both digests and the fix
# (while active, and while only a record of it remains), not taken for the
# one already there; the same object again is still a no-op; 'gc' frees the
# NAME@VERSION of a disabled patch for new code.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

one=$(patch_obj t-d@1)
other=$(patch_obj t-d@1.other)
sum_one=$(sha256sum "$one" | cut -d' ' -f1)
sum_other=$(sha256sum "$other" | cut -d' ' -f1)
[[ $sum_one != "$sum_other" ]] || fail "t-d@1 and t-d@1.other have the same bytes"

bpflp_ok apply "$one" > /dev/null
assert_behaviour "EPERM ok ok" "with t-d@1"
assert_eq "$(patch_field t-d@1 sha256)" "$sum_one" "list -j: sha256 of the object"
assert_eq "$("$BPFLP" -j show t-d | jq -r .sha256)" "$sum_one" "show -j: sha256"
assert_match "$("$BPFLP" show t-d)" "sha256 $sum_one" "show: sha256"
records=$("$BPFLP" -j list | jq -c .patches)

refused_other() {
	local state=$1 fix=$2 out rc=0
	out=$("$BPFLP" apply "$other" 2>&1) || rc=$?
	assert_eq "$rc" 1 "exit status of applying other code as t-d@1 ($state)"
	assert_eq "$out" "bpflp: error: t-d@1 is already $state with different code (sha256 ${sum_one:0:12}..., $other has ${sum_other:0:12}...): bump the version in BPFLP_PATCH$fix" \
		"the refusal names both digests and the fix ($state)"
}
refused_other active ""
assert_behaviour "EPERM ok ok" "t-d@1's own code still runs"
assert_eq "$("$BPFLP" -j list | jq -c .patches)" "$records" "records unchanged"
assert_eq "$(bpflp_ok apply "$one")" "t-d@1 is already active: nothing to do" "the same object again is a no-op"

bpflp_ok disable t-d > /dev/null
assert_behaviour "ok ok ok" "t-d disabled"
refused_other recorded " (or drop the old record with 'bpflp gc')"
assert_eq "$(patch_field t-d@1 state)" "disabled" "the record stays as it was"
assert_eq "$(patch_field t-d@1 sha256)" "$sum_one" "with its digest"

bpflp_ok gc > /dev/null
bpflp_ok apply "$other" > /dev/null
assert_behaviour "EACCES ok ok" "after gc, the other t-d@1 applies"
assert_eq "$(patch_field t-d@1 sha256)" "$sum_other" "list -j: the new digest"
