#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fexit cut (docs/design.md): when a function's trampoline changes, the
# kernel skips the fexit programs of a call still inside the function, and
# so bpflp's drops too. A process sleeps three times (hrtimer_nanosleep);
# cut-obs@2 replaces cut-obs@1 during the first sleep:
#  1. the kernel's part: the first sleep is counted on entry by cut-obs@1
#     and on exit by neither version;
#  2. bpflp's part: the next two sleeps begin after the replace returned
#     and must be counted on entry and exit by cut-obs@2. The first sleep's
#     snapshot entry stayed (its drops were skipped), at the very frame
#     address the next sleeps use (the VM boots with
#     randomize_kstack_offset=off): it must not be taken for theirs
#     (before it was, and cut-obs@2 saw neither sleep).
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib.bash"
rel_setup
command -v perl > /dev/null || skip "perl not installed"
OBS_PIN=/sys/fs/bpf/bpflp_cut_obs
on_exit "rm -f $OBS_PIN"
rm -f "$OBS_PIN"

# le_bytes N: the 8 bytes of N, little-endian, as bpftool takes them.
le_bytes() { for ((i = 0; i < 8; i++)); do printf '%d ' $((($1 >> (8 * i)) & 255)); done; }
count() {
	bpftool -j map lookup pinned "$OBS_PIN" key "$1" 0 0 0 |
		jq -r '(.formatted // .).value | if type == "array" then (map(tonumber) | to_entries | map(.value * pow(256; .key)) | add) else . end'
}

assert_ok "$BPFLP" apply "$(patch_obj cut-obs@1)" > /dev/null
mkfifo "$TDIR/go"
# The first sleep lasts until SIGUSR1 (a handler: perl's sleep returns
# early, not restarted), sent once the replace returned: however slow the
# VM, the replace happens inside it.
perl -e '$SIG{USR1} = sub { }; open(my $go, "<", $ARGV[0]) or die; <$go>; sleep 600; sleep 1; sleep 1' \
	"$TDIR/go" &
sleeper=$!
on_exit "kill -KILL $sleeper 2>/dev/null"
bpftool map update pinned "$OBS_PIN" key 0 0 0 0 value $(le_bytes "$sleeper")
echo go > "$TDIR/go"
first_sleep_entered() { [[ $(count 2) == 1 ]]; }
wait_for 60 first_sleep_entered || fail "cut-obs@1 never saw the first sleep begin: entries $(count 2)"
assert_ok "$BPFLP" apply "$(patch_obj cut-obs@2)" > /dev/null
[[ $(count 2) == 1 && $(count 3) == 0 ]] ||
	fail "the first sleep was not in progress when the replace returned: cut-obs@1 entries $(count 2), exits $(count 3)"
kill -USR1 "$sleeper"
wait "$sleeper"
read -r in1 out1 in2 out2 <<< "$(count 2) $(count 3) $(count 4) $(count 5)"
echo "  cut-obs@1: $in1 entries, $out1 exits; cut-obs@2: $in2 entries, $out2 exits"
assert_eq "$in1 $out1" "1 0" "cut-obs@1 (the first sleep: its exit is cut by the kernel)"
assert_eq "$in2 $out2" "2 2" "cut-obs@2 (the two sleeps after the replace)"
