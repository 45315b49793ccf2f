#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp's take and drop on a patch's entry-only functions are attached only
# while a transaction needs them (docs/design.md, "Between transactions"),
# so between transactions a patched call runs the patch's programs alone.
# Checked in the kernel: link pins, bpftool's tracing links and
# bpflp_state's flux, epoch and snapped fields, at rest and while a
# transaction is held (BPFLP_PAUSE) or was killed (BPFLP_FAULT):
#  1. an apply on functions no other patch touches attaches no snapshot;
#  2. a replace on a shared function attaches the incoming patch's take
#     and drop (not the replaced one's), and detaches them at the end;
#  3. a stack on other functions attaches none; one on a shared function
#     does; the disable of the newest patch on a function links its take
#     and drop and the next patch's there, its own take attached last;
#  4. what a killed transaction left attached, the next one detaches.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

# pins NAME@VERSION KIND: how many link pins of that kind (take, drop, fmod_ret) the patch holds.
pins() {
	local n
	n=$(find "$STORE/patches/$1" -name "*__$2_link" 2> /dev/null | wc -l)
	echo "$n"
}
# slot_of NAME VERSION: the slot of that record.
slot_of() { "$BPFLP" -j list | jq -r ".patches[] | select(.name == \"$1\" and .version == $2) | .slot"; }
snapped_bit() { echo $((($(state_field snapped) >> $1) & 1)); }

# at_rest WHAT TRACING_LINKS: flux down, no take or drop pinned anywhere.
at_rest() {
	assert_eq "$(state_field flux)" 0 "flux $1"
	assert_eq "$(find "$STORE/patches" -name '*__take_link' -o -name '*__drop_link' | wc -l)" 0 \
		"take and drop links pinned $1"
	wait_for 30 tracing_links_are "$2" || fail "$(tracing_links) tracing links in the kernel $1, want $2"
	echo "  ok: $2 tracing links in the kernel $1"
}

echo "# 1. apply on functions nobody else patches"
bpflp_ok apply "$(patch_obj t-v@1)" > /dev/null
epoch=$(state_field epoch)
assert_behaviour "EPERM EPERM ok" "with t-v@1"
at_rest "after applying t-v@1" 2
hold staged apply --stack "$(patch_obj t-c@1)"
assert_eq "$(state_field flux)" 1 "flux while a stack is staged"
assert_eq "$(pins t-c@1 take)$(pins t-c@1 drop)" 00 "t-c@1 (no shared function) staged without take or drop"
release
assert_behaviour "EPERM EPERM EPERM" "with t-c@1 stacked"
bpflp_ok disable t-c > /dev/null
at_rest "after the stack and its disable" 2

echo "# 2. replace on a shared function"
hold staged apply "$(patch_obj t-v@2)"
slot=$(slot_of t-v 2)
assert_eq "$(state_field flux)" 1 "flux while the replace is staged"
assert_eq "$(pins t-v@2 take) $(pins t-v@2 drop) $(pins t-v@2 fmod_ret)" "1 1 1" \
	"t-v@2 staged with its take and drop on security_file_open"
assert_eq "$(pins t-v@1 take)$(pins t-v@1 drop)" 00 "t-v@1 needs none: t-v@2's take runs first"
assert_eq "$(tracing_links)" 5 "tracing links while staged (2 of t-v@1, 3 of t-v@2)"
assert_behaviour "EPERM EPERM ok" "while t-v@2 is staged"
release
assert_behaviour "EACCES ok ok" "with t-v@2"
at_rest "after the replace" 1
(($(state_field epoch) > epoch)) || fail "epoch $(state_field epoch) after the replace, $epoch before"

echo "# 3. stack and disable on a shared function"
hold staged apply --stack "$(patch_obj t-a@1)"
assert_eq "$(pins t-a@1 take)$(pins t-a@1 drop)" 11 "t-a@1 stacked on security_file_open staged with take and drop"
assert_eq "$(snapped_bit "$(slot_of t-a 1)")" 1 "t-a@1's slot snapped while staged"
release
assert_behaviour "EPERM ok ok" "with t-a@1 stacked over t-v@2"
at_rest "after the stack" 2
hold commit disable t-a
assert_eq "$(pins t-a@1 take)$(pins t-a@1 drop)" 11 "t-a@1 linked its take and drop for its disable"
assert_eq "$(snapped_bit "$(slot_of t-a 1)")" 1 "t-a@1's slot snapped for its disable"
# t-v@2 takes over security_file_open: its take must be there once t-a@1 is gone.
assert_eq "$(pins t-v@2 take)$(pins t-v@2 drop)" 11 "t-v@2, next on the function, linked its take and drop"
assert_eq "$(snapped_bit "$slot")" 1 "t-v@2's slot snapped"
take_order=$(bpftool -j link list | jq -r --argjson a "$(bpftool -j link show pinned "$STORE/patches/t-a@1/security_file_open__take_link" | jq .id)" \
	--argjson v "$(bpftool -j link show pinned "$STORE/patches/t-v@2/security_file_open__take_link" | jq .id)" \
	'if $a > $v then "t-a@1 newest" else "t-v@2 newest" end')
assert_eq "$take_order" "t-a@1 newest" "the disabled patch's take is attached after the next one's, so it runs first"
release
assert_behaviour "EACCES ok ok" "after disabling t-a@1"
at_rest "after the disable" 1

echo "# 3b. disable of an exit-side patch stacked over an entry-only one"
bpflp_ok apply "$(patch_obj t-o@1)" --stack > /dev/null
assert_eq "$(pins t-o@1 take)$(pins t-o@1 drop)" 11 "t-o@1 (fexit) keeps its take and drop at rest"
hold commit disable t-o
assert_eq "$(pins t-v@2 take)$(pins t-v@2 drop)" 11 "t-v@2, next on the function, linked its take and drop"
assert_eq "$(snapped_bit "$slot")" 1 "t-v@2's slot snapped"
release
assert_behaviour "EACCES ok ok" "after disabling t-o@1"
at_rest "after disabling t-o@1" 1

echo "# 4. a transaction killed with its snapshot attached"
bpflp_ok apply --stack "$(patch_obj t-a@1)" > /dev/null
rc=0
BPFLP_FAULT=commit "$BPFLP" disable t-a > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 137 "disable killed at the commit"
assert_eq "$(pins t-a@1 take)$(pins t-a@1 drop)" 11 "the killed disable left t-a@1's take and drop"
assert_eq "$(state_field flux)" 1 "and flux raised"
bpflp_ok recover > /dev/null
assert_behaviour "EPERM ok ok" "after recover (the disable never committed)"
at_rest "after recover" 2
