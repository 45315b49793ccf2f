#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A slot goes to a new patch only once every program of its previous
# instance has left the kernel. A disabled patch's gate opens whenever its
# slot's bit is in the commit word, so an instance still attached when its
# slot is reused would run again as if active. Here t-a@1's fmod_ret link
# is kept by a pin outside bpflp's tree (its links otherwise take a moment
# to go), and slot 0 is made the first choice again by hand:
#  1. t-b@1 gets another slot, and opens are not denied by t-a@1's program
#     still on security_file_open;
#  2. once the link is gone, slot 0 is reused.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup
HOLD=/sys/fs/bpf/bpflp_test_hold
on_exit "rm -f $HOLD"
rm -f "$HOLD"

slot_of() { patch_field "$1" slot; }
# first_choice SLOT: make SLOT look never used in bpflp_armed, so a new patch takes it if it can.
first_choice() {
	bpftool map update pinned "$STORE/bpflp_armed" key "$1" 0 0 0 value 0 0 0 0 0 0 0 0
}

echo "# 1. no reuse while the previous instance's programs are in the kernel"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_eq "$(slot_of t-a@1)" 0 "slot of t-a@1"
link=$STORE/patches/t-a@1/security_file_open__fmod_ret_link
prog=$(bpftool -j link show pinned "$link" | jq -r .prog_id)
bpftool link pin pinned "$link" "$HOLD"
bpflp_ok disable t-a > /dev/null
assert_behaviour "ok ok ok" "t-a disabled, its fmod_ret link held"
first_choice 0
bpflp_ok apply "$(patch_obj t-b@1)" > /dev/null
assert_eq "$(slot_of t-b@1)" 1 "slot of t-b@1 while t-a@1's program is attached"
prog_alive "$prog" || fail "t-a@1's fmod_ret program (id $prog) is gone: the test held nothing"
assert_behaviour "ok EPERM ok" "t-b@1 active, t-a@1's program still attached"

echo "# 2. reuse once it is gone"
rm -f "$HOLD"
wait_for 60 prog_gone "$prog" ||
	fail "t-a@1's fmod_ret program (id $prog) still in the kernel 60 s after its last link pin went"
first_choice 0
bpflp_ok apply "$(patch_obj t-s@1)" --stack > /dev/null
assert_eq "$(slot_of t-s@1)" 0 "slot of t-s@1 once t-a@1's programs are gone"
assert_behaviour "EACCES EPERM ok" "t-s@1 stacked over t-b@1"
