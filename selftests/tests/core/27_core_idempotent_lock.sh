#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Applying the active patch again changes nothing; while another process
# holds the transaction lock, apply and disable fail at once and change
# nothing, and work again once it is released.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
ids=$(patch_link_ids t-a@1)
applied_at=$(patch_field t-a@1 applied_at_ns)
tree=$(bpffs_tree)

out=$(bpflp_ok apply "$(patch_obj t-a@1)")
assert_eq "$out" "t-a@1 is already active: nothing to do" "second apply message"
assert_eq "$(bpflp_ok -j apply "$(patch_obj t-a@1)" | jq -r .action)" none "second apply, JSON action"
assert_eq "$(patch_link_ids t-a@1)" "$ids" "link ids after re-apply"
assert_links_live "$ids" "t-a@1 links after re-apply"
assert_eq "$(patch_field t-a@1 applied_at_ns)" "$applied_at" "applied_at after re-apply"
assert_eq "$(bpffs_tree)" "$tree" "bpffs tree after re-apply"
assert_behaviour "EPERM ok ok" "after re-apply"

# Another process holds the lock: a subshell that takes it and becomes sleep.
( flock 9 && exec sleep 600 ) 9< "$STORE" &
holder=$!
on_exit "kill $holder 2>/dev/null; wait $holder 2>/dev/null"
lock_taken() { ! flock -n "$STORE" true; }
wait_for 60 lock_taken || fail "the lock holder did not take the lock"
echo "  ok: process $holder holds the lock on $STORE"
for cmd in "apply $(patch_obj t-v@1)" "disable t-a"; do
	start=$(date +%s%N)
	rc=0
	# shellcheck disable=SC2086 # cmd holds the verb and its argument
	out=$(timeout 30 "$BPFLP" $cmd 2>&1) || rc=$?
	took_ms=$((($(date +%s%N) - start) / 1000000))
	assert_eq "$rc" 1 "'bpflp ${cmd%% *}' exit status while locked"
	assert_match "$out" "another bpflp transaction" "'bpflp ${cmd%% *}' names the other transaction"
	((took_ms < 8000)) || fail "'bpflp ${cmd%% *}' took ${took_ms} ms: it must not wait for the lock"
	assert_eq "$(bpffs_tree)" "$tree" "bpffs tree after the refused ${cmd%% *}"
	assert_behaviour "EPERM ok ok" "after the refused ${cmd%% *}"
done
assert_links_live "$ids" "t-a@1 links while locked"

kill "$holder"
wait "$holder" 2>/dev/null
bpflp_ok apply "$(patch_obj t-v@1)" > /dev/null
assert_behaviour "EPERM EPERM ok" "t-v@1 applied after the lock is released"
assert_links_gone "$ids" "t-a@1 links after the replace"
