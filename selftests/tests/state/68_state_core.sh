#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# System-state versions (BPFLP_STATE), the kernel's livepatch test-state
# scenarios translated (tools/testing/selftests/livepatch/test-state.sh):
# a patch sets up a "system modification" (selftests/tests/state/state_cb.bpf.h)
# and the cumulative patches after it take it over without undoing and
# redoing it; compatible patches (newer or equal versions, another patch
# name included) are accepted; an older version or a missing state is
# refused before anything loads, naming the state.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup
STLOG=/sys/fs/bpf/bpflp_t_stlog
SYSSET=/sys/fs/bpf/bpflp_t_sysset
rm -f "$STLOG" "$SYSSET"
on_exit "rm -f '$STLOG' '$SYSSET'"

# stlog: the events logged so far, "VERSION*100 + EVENT*10 + PREV_VERSION ..."
stlog() {
	bpftool -j map dump pinned "$STLOG" |
		jq -r '[.[].formatted] | sort_by(.key) | .[0].value as $n | [.[1:$n + 1][].value] | join(" ")'
}
# setting: the simulated system setting and the value saved before it changed.
setting() { bpftool -j map dump pinned "$SYSSET" | jq -r '[.[].formatted.value] | join(" ")'; }

# Setup by the first patch; a replace takes it over: only the new
# patch's callbacks run, it sees version 1 before it, and the setting stays.
bpflp_ok apply "$(patch_obj t-st@1)" > /dev/null
assert_eq "$(stlog)" "110 130" "t-st@1: setup, post_patch"
assert_eq "$(setting)" "42 0" "setting after t-st@1"
bpflp_ok apply "$(patch_obj t-st@2)" > /dev/null
assert_eq "$(stlog)" "110 130 221 231" "t-st@2: takes over from version 1, post_patch; t-st@1 ran nothing"
assert_eq "$(setting)" "42 0" "setting not reset by the take-over"
assert_eq "$(list_query '.patches[] | select(.state == "active") | .states | map("\(.id)@\(.version)") | join(" ")')" \
	"7@2" "list: t-st@2's states"
assert_match "$("$BPFLP" show t-st)" "states: 7@2" "show prints the states"

# Compatible: an equal version, under the same name and under another one.
bpflp_ok apply "$(patch_obj t-st@3)" > /dev/null
bpflp_ok apply "$(patch_obj t-st-other@1)" > /dev/null
assert_eq "$(stlog)" "110 130 221 231 322 332 122 132" "equal versions take over too"
assert_eq "$(active_patches)" "t-st-other@1" "active after the compatible replaces"

# Incompatible: refused before anything loads, nothing changed.
before=$(kernel_state)
out=$("$BPFLP" apply "$(patch_obj t-st@1)" 2>&1) && fail "t-st@1 over version 2 was accepted"
assert_match "$out" "^bpflp: error: cannot apply t-st@1: its system state 7 is version 1, older than version 2 of the active t-st-other@1; declare BPFLP_STATE\(7, 2\) or a later version$" \
	"an older state version is refused"
out=$("$BPFLP" apply "$(patch_obj t-st@9)" 2>&1) && fail "t-st@9 without the state was accepted"
assert_match "$out" "^bpflp: error: cannot apply t-st@9: it does not carry system state 7 of the active t-st-other@1 \(version 2\)" \
	"a replace without the state is refused"
assert_eq "$(kernel_state)" "$before" "state after the refusals"
assert_eq "$(stlog)" "110 130 221 231 322 332 122 132" "no callback of a refused patch ran"
# Stacked, a patch need not carry the state (klp_is_patch_compatible): the one below keeps it.
bpflp_ok apply --stack "$(patch_obj t-a@1)" > /dev/null
bpflp_ok disable t-a > /dev/null

# Disable: the last owner restores the setting.
bpflp_ok disable t-st-other > /dev/null
assert_eq "$(stlog)" "110 130 221 231 322 332 122 132 142" "disable: post_unpatch restores"
assert_eq "$(setting)" "0 0" "setting restored"
