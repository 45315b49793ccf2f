#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp status answers in its exit code (docs/cli.md, "status"), and
# changes nothing while it does:
#  0 consistent: nothing applied, then one patch active;
#  3 pending: an apply killed by BPFLP_FAULT=staged (its journal left
#    behind, its lock free), and one held by BPFLP_PAUSE (running);
#    status leaves the half-made state exactly as it is, recover rolls
#    the dead one back and status says 0 again;
#  4 unrecoverable: both record pins of the active patch deleted by hand
#    (a directory of pins nobody can name): status says what to do, recover
#    fails, and after 'rm -rf' of the directory recover and status agree;
#  5 unsupported: bpffs unmounted (the kernel side of 5, refused
#    trampolines, is selftests/host/test_status.sh: the VM allows them).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

# raw_state: bpffs, links and trampolines, read without bpflp (list would recover).
raw_state() {
	bpffs_tree
	echo "--- links"
	bpftool -j link list | jq -c 'sort_by(.id)[]'
	echo "--- trampolines"
	grep -o '^[a-z_0-9]* ' "$TRACING/enabled_functions" | sort
}

status_is 0 consistent "with nothing applied"
bpflp_ok apply "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-a@1"
status_is 0 consistent "with t-a@1 active"

echo "# 3: a transaction that died"
rc=0
BPFLP_FAULT=staged "$BPFLP" apply --stack "$(patch_obj t-b@1)" > /dev/null 2>&1 &
dead=$!
wait $dead || rc=$?
assert_eq "$rc" 137 "BPFLP_FAULT=staged kills the apply (SIGKILL)"
before=$(raw_state)
[[ -e $STORE/journal ]] || fail "the killed apply left no journal"
status_is 3 pending "with a dead transaction"
assert_match "$(head -n1 "$TDIR/status.out")" "^status: pending: a transaction died before it finished: 'bpflp recover'" "plain status names the fix"
assert_match "$(cat "$TDIR/status.out")" "pending transaction: apply of $STORE/patches/t-b@1 by pid $dead" "plain status names the transaction and its pid"
assert_eq "$("$BPFLP" -j status | jq -c '.pending_transaction | [.operation, .pid, .running]')" \
	"[\"apply\",$dead,false]" "-j status: the dead apply, its pid, not running"
assert_eq "$(raw_state)" "$before" "status changed nothing (bpffs, links, trampolines)"
[[ -e $STORE/journal ]] || fail "status removed the journal"
out=$(bpflp_ok recover)
assert_match "$out" "^rolled back the interrupted apply of $STORE/patches/t-b@1" "recover rolls the dead apply back"
status_is 0 consistent "after recover"
assert_eq "$(active_patches)" "t-a@1" "only t-a@1 active after the rollback"
assert_behaviour "EPERM ok ok" "after the rollback"

echo "# 3: a transaction that is running"
hold staged apply --stack "$(patch_obj t-b@1)"
status_is 3 pending "while a transaction runs"
assert_match "$(head -n1 "$TDIR/status.out")" "^status: pending: a transaction is running$" "plain status: running"
assert_eq "$("$BPFLP" -j status | jq -c '.pending_transaction | [.pid, .running]')" "[$held,true]" \
	"-j status: the running apply"
release
status_is 0 consistent "after it finished"
assert_eq "$(active_patches)" "t-a@1 t-b@1" "both active"
bpflp_ok disable t-b@1 > /dev/null

echo "# 4: drift bpflp cannot repair"
DIR=$STORE/patches/t-a@1
rm "$DIR/meta" "$STORE/records/t-a@1"
before=$(raw_state)
status_is 4 unrecoverable "without either record pin of t-a@1"
assert_match "$(head -n1 "$TDIR/status.out")" "^status: unrecoverable: .*not all of it can be repaired" "plain status: unrecoverable"
assert_match "$(cat "$TDIR/status.out")" "$DIR.*rm -rf" "plain status says what to do (rm -rf the directory)"
assert_eq "$("$BPFLP" -j status | jq -r '[.drift[].repair] | unique | join(" ")')" none "-j status: every repair is none"
assert_eq "$(raw_state)" "$before" "status changed nothing"
rc=0
"$BPFLP" recover > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "recover cannot repair it"
status_is 4 unrecoverable "after recover failed"
rm -rf "$DIR"
bpflp_ok recover > /dev/null
status_is 0 consistent "after rm -rf of the directory and recover"
assert_behaviour "ok ok ok" "after rm -rf of the directory"

echo "# 5: no bpffs"
bpflp_reset
umount /sys/fs/bpf || fail "cannot unmount bpffs"
on_exit "mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf"
status_is 5 unsupported "without bpffs"
assert_eq "$(grep -c . "$TDIR/status.out")" 1 "plain status: one line"
assert_match "$(cat "$TDIR/status.out")" "^status: unsupported: bpffs is not mounted at /sys/fs/bpf.*mount -t bpf bpf /sys/fs/bpf" "plain status names the fix"
mount -t bpf bpf /sys/fs/bpf || fail "cannot mount bpffs again"
status_is 0 consistent "with bpffs mounted again"
