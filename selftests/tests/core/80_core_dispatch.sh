#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# apply --dispatch: a patch's fmod_ret programs run from one stub per
# function (loader/engine/dispatch_set.h). The stubs stay attached across
# replaces that keep a dispatched program on their function (their link
# ids do not change: no trampoline is rebuilt there), each stub's live
# side holds the newest patch's program and the other side is empty
# between transactions, dispatched and gated patches stack and replace
# each other, a stub no patch needs is detached, what cannot be
# dispatched is refused with nothing changed, and a stub's pins deleted
# by hand are attached again by recover.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

# func_key FUNC: the function's key in vmlinux (its BTF id), as stub directories name it.
func_key() {
	bpftool btf dump file /sys/kernel/btf/vmlinux |
		awk -v f="'$1'" '$2 == "FUNC" && $3 == f { gsub(/[][]/, "", $1); print $1; exit }'
}
stub_dir() { printf '%s/dispatch/%016x/fmod_ret' "$STORE" "$(func_key "$1")"; }
stub_link_id() { bpftool -j link show pinned "$(stub_dir "$1")/link" 2> /dev/null | jq -r .id; }
# stub_entries FUNC: how many of the stub's two sides hold a program.
stub_entries() { bpftool -j map dump pinned "$(stub_dir "$1")/array" | jq length; }
stubs() { find "$STORE/dispatch" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l; }
# func_field NAME@V FUNC FIELD: a field of FUNC in `bpflp -j show NAME@V`.
func_field() { "$BPFLP" -j show "$1" | jq -r ".functions[] | select(.function == \"$2\") | .$3"; }
# broken_then_mended WHAT STATUS_SAYS RECOVER_SAYS: a hand edit (WHAT) left
# open unpatched; status reports it, recover mends it and says so.
broken_then_mended() {
	local out
	assert_behaviour "ok ok ok" "$1"
	status_is 2 drift "$1"
	assert_match "$(cat "$TDIR/status.out")" "$2" "status: $1"
	out=$("$BPFLP" recover 2>&1) || fail "recover after $1: $out"
	assert_match "$out" "$3" "recover: $1"
	assert_behaviour "EPERM ok ok" "after recover ($1)"
}

echo "== 1. apply --dispatch"
bpflp_ok apply --dispatch "$(patch_obj t-a@1)" > /dev/null
assert_behaviour "EPERM ok ok" "with t-a@1 dispatched"
assert_eq "$(func_field t-a@1 security_file_open attached_via) $(func_field t-a@1 security_file_open attached)" \
	"dispatch_stub true" "show: t-a@1 runs from the stub"
assert_eq "$(func_field t-a@1 security_file_open link_pin)" "$(stub_dir security_file_open)/link" "show: link_pin is the stub's"
[[ -e $STORE/patches/t-a@1/security_file_open__fmod_ret_link ]] && fail "a dispatched program has no link"
assert_eq "$(stub_entries security_file_open)" 1 "one side filled between transactions"
open_link=$(stub_link_id security_file_open)
[[ -n $open_link ]] || fail "no stub link on security_file_open"
a_prog=$(func_field t-a@1 security_file_open prog_id)

echo "== 2. stack dispatched and gated patches"
bpflp_ok apply --dispatch --stack "$(patch_obj t-b@1)" > /dev/null
bpflp_ok apply --stack "$(patch_obj t-c@1)" > /dev/null
assert_behaviour "EPERM EPERM EPERM" "with t-a@1 + t-b@1 dispatched + t-c@1 gated"
assert_eq "$(stubs)" 2 "two stubs"
assert_eq "$(func_field t-c@1 security_inode_mkdir attached_via)" link "t-c@1 is a gated link"
assert_eq "$(stub_link_id security_file_open)" "$open_link" "open's stub kept across the stacks"
unlink_link=$(stub_link_id security_inode_unlink)
status_is 0 consistent "with stubs"

echo "== 3. a cumulative dispatched replace"
links_before=$(tracing_links)
out=$(bpflp_ok -j apply --dispatch "$(patch_obj t-r@1)")
assert_eq "$(jq -r '.replaced | sort | join(" ")' <<< "$out")" "t-a@1 t-b@1 t-c@1" "t-r@1 replaced the stack"
assert_behaviour "EACCES EACCES ok" "with t-r@1 dispatched"
assert_eq "$(stub_link_id security_file_open) $(stub_link_id security_inode_unlink)" \
	"$open_link $unlink_link" "the stubs' links are the same: no trampoline rebuilt on open and unlink"
assert_eq "$(stub_entries security_file_open) $(stub_entries security_inode_unlink)" "1 1" \
	"the replaced side emptied"
assert_untraced security_inode_mkdir "mkdir, which t-r@1 does not patch"
wait_for 30 prog_gone "$a_prog" || fail "t-a@1's program is still in the kernel"
# The stubs stay; t-c@1's gated link went.
assert_eq "$(tracing_links)" "$((links_before - 1))" "tracing links after the replace"
assert_eq "$(func_field t-r@1 security_inode_unlink attached)" true "show: t-r@1 runs on unlink"

echo "== 4. a gated replace detaches the stubs"
bpflp_ok apply "$(patch_obj t-v@1)" > /dev/null
assert_eq "$(stubs)" 0 "no stub once no patch dispatches"
[[ -e $STORE/dispatch ]] && fail "dispatch/ is removed with its last stub"
assert_behaviour "EPERM EPERM ok" "with t-v@1 gated"

echo "== 5. dispatched again, then disabled"
bpflp_ok apply --dispatch "$(patch_obj t-r@1)" > /dev/null
assert_behaviour "EACCES EACCES ok" "with t-r@1 dispatched again"
bpflp_ok disable t-r@1 > /dev/null
assert_behaviour "ok ok ok" "after disable"
assert_eq "$(stubs)" 0 "no stub after disable"
assert_untraced security_file_open "open"

echo "== 6. refused with nothing changed"
bpflp_ok apply --dispatch "$(patch_obj t-a@1)" > /dev/null
tree=$(bpffs_tree | md5sum)
rc=0
err=$("$BPFLP" apply --dispatch "$(patch_obj t-o@1)" 2>&1 > /dev/null) || rc=$?
assert_eq "$rc" 1 "exit status of --dispatch with an fexit program"
assert_match "$err" "^bpflp: error: cannot apply .*t-o@1.* with --dispatch: its fexit program on security_file_open is not an fmod_ret program; .* apply it without --dispatch$" "the refusal"
assert_eq "$(bpffs_tree | md5sum)" "$tree" "bpffs after the refusal (digest)"

echo "== 7. a crash before the commit leaves the stubs as they were"
rc=0
BPFLP_FAULT=staged "$BPFLP" apply --dispatch "$(patch_obj t-r@1)" > /dev/null 2>&1 || rc=$?
assert_eq "$rc" 137 "bpflp killed at staged"
assert_eq "$(stubs)" 2 "the crashed apply made unlink's stub"
bpflp_ok recover > /dev/null
assert_behaviour "EPERM ok ok" "t-a@1 after the rolled-back apply"
assert_eq "$(stubs) $(stub_entries security_file_open)" "1 1" "unlink's stub detached, open's other side emptied"

echo "== 8. pins deleted by hand"
rm "$(stub_dir security_file_open)/link"
broken_then_mended "the stub's link pin deleted" \
	"security_file_open: bpflp's dispatch stub lost its link pin, so the function runs unpatched" \
	"security_file_open: attached bpflp's dispatch stub again"
status_is 0 consistent "after recover"
rm "$(stub_dir security_file_open)/array"
assert_behaviour "ok ok ok" "the array pin deleted: its entries went"
bpflp_ok recover > /dev/null 2>&1
assert_behaviour "EPERM ok ok" "after recover"
rm -r "$(dirname "$(stub_dir security_file_open)")"
status_is 2 drift "with the stub's directory deleted"
bpflp_ok recover > /dev/null 2>&1
assert_behaviour "EPERM ok ok" "after recover"
assert_eq "$(func_field t-a@1 security_file_open attached)" true "show after the repairs"

echo "== 9. a stub's entry deleted by hand"
for side in 0 1; do
	bpftool map delete pinned "$(stub_dir security_file_open)/array" key "$side" 0 0 0 2> /dev/null || true
done
broken_then_mended "the live entry deleted" \
	"security_file_open: bpflp's dispatch stub runs another program than the records say" \
	"security_file_open: set its dispatch stub to run what the records say again"
assert_eq "$(stub_entries security_file_open)" 1 "one side filled"

echo "== 10. unchanged programs are kept, not loaded"
# fp-body changes one program's body against fp-base; one program of fp
# has a map of its own, so it is never unchanged (fp.bpf.c).
bpflp_ok disable t-a@1 > /dev/null
bpflp_ok apply --dispatch "$(patch_obj fp-base)" > /dev/null
declare -A before
while read -r f id; do before[$f]=$id; done <<< "$("$BPFLP" -j show fp@1 | jq -r '.functions[] | "\(.function) \(.prog_id)"')"
ln -s target "$TDIR/link"
readlink "$TDIR/link" > /dev/null
calls_before=$(func_field fp@1 security_inode_readlink calls)
((calls_before >= 1)) || fail "fp@1 counted no readlink"
changes=$(bpflp_ok -j check "$(patch_obj fp-body)" | jq -r '.functions[] | "\(.function) \(.change)"')
nr_unchanged=$(grep -c ' unchanged$' <<< "$changes")
((nr_unchanged >= 2)) || fail "fp-body should leave programs unchanged: $changes"
out=$(bpflp_ok -j apply --dispatch "$(patch_obj fp-body)")
assert_eq "$(jq -r '.programs | "\(.unchanged) \(.kept)"' <<< "$out")" "$nr_unchanged $nr_unchanged" \
	"fp@2 keeps every unchanged program"
while read -r f change; do
	id=$(func_field fp@2 "$f" prog_id)
	if [[ $change == unchanged ]]; then
		assert_eq "$id" "${before[$f]}" "$f: kept, the same program runs"
	else
		[[ $id != "${before[$f]}" ]] || fail "$f changed but runs the same program $id"
	fi
	assert_eq "$(func_field fp@2 "$f" attached)" true "$f runs from its stub"
done <<< "$changes"
readlink "$TDIR/link" > /dev/null
calls_after=$(func_field fp@2 security_inode_readlink calls)
grep -q '^security_inode_readlink unchanged$' <<< "$changes" || fail "fp-body changes readlink's program"
((calls_after > calls_before)) || fail "the kept program's calls: $calls_after after $calls_before"
echo "  ok: the kept program on readlink counts on, in fp@2's show ($calls_before, then $calls_after)"
kept_id=${before[$(grep -m1 ' unchanged$' <<< "$changes" | cut -d' ' -f1)]}
bpflp_ok apply --dispatch "$(patch_obj t-r@1)" > /dev/null
assert_behaviour "EACCES EACCES ok" "with t-r@1"
wait_for 30 prog_gone "$kept_id" || fail "a kept program is still in the kernel once replaced"
echo "  ok: a kept program left the kernel with its last patch"

echo "== 11. a gated patch stacked over a dispatched one, then disabled"
bpflp_ok disable t-r@1 > /dev/null
bpflp_ok apply --dispatch "$(patch_obj t-a@1)" > /dev/null
[[ -e $STORE/patches/t-a@1/security_file_open__take_prog ]] &&
	fail "a dispatched function's take is loaded only when a transaction needs it"
bpflp_ok apply --stack "$(patch_obj t-v@1)" > /dev/null
assert_behaviour "EPERM EPERM ok" "t-v@1 gated over t-a@1 dispatched"
assert_eq "$(func_field t-a@1 security_file_open attached)" false "t-a@1's program is off its stub's live side"
bpflp_ok disable t-v@1 > /dev/null
assert_behaviour "EPERM ok ok" "t-a@1 again once t-v@1 is disabled"
assert_eq "$(func_field t-a@1 security_file_open attached)" true "t-a@1 back on its stub's live side"
status_is 0 consistent "after the disable"

echo "== 12. a dispatched program's pin deleted by hand"
a_pin=$STORE/patches/t-a@1/security_file_open__fmod_ret_prog
rm "$a_pin"
assert_behaviour "EPERM ok ok" "the stub still runs it"
status_is 2 drift "with the program pin deleted"
assert_match "$(cat "$TDIR/status.out")" "security_file_open: the fmod_ret program pin is gone \(its dispatch stub still runs it\)" "status says the stub runs it"
bpflp_ok recover > /dev/null 2>&1
[[ -e $a_pin ]] || fail "recover pins it again from the stub"
status_is 0 consistent "after recover"
# Under a newer patch the stub does not hold it: then it is gone with its pin.
bpflp_ok apply --dispatch --stack "$(patch_obj t-v@1)" > /dev/null
rm "$a_pin"
status_is 4 unrecoverable "with an older patch's program pin deleted"
assert_match "$(cat "$TDIR/status.out")" "security_file_open: the fmod_ret program is gone with its pin: apply .*t-a@1.* again" "status says to apply it again"
tree=$(bpffs_tree | md5sum)
rc=0
err=$("$BPFLP" disable t-v@1 2>&1 > /dev/null) || rc=$?
assert_eq "$rc" 1 "disabling the newer patch, whose function would fall to the lost program"
assert_match "$err" "cannot open the program t-a@1 dispatches on security_file_open \(its pin is gone.*apply .*t-a@1.* again" "the refusal says what to do"
assert_eq "$(bpffs_tree | md5sum)" "$tree" "bpffs after the refusal (digest)"
assert_behaviour "EPERM EPERM ok" "t-v@1 still in effect"
bpflp_ok apply --dispatch "$(patch_obj t-a@1)" > /dev/null 2>&1
[[ -e $a_pin ]] || fail "applying t-a@1 again loads and pins it"
slot=$(for id in $(bpftool -j prog show pinned "$a_pin" | jq -r '.map_ids[]'); do
	bpftool -j map dump id "$id" 2> /dev/null | jq -r '.. | .bpflp_slot? // empty'
done | head -n1)
assert_eq "$slot" 254 "loaded again as a dispatched program (BPFLP_DISPATCH_SLOT)"
bpflp_ok disable t-v@1 > /dev/null
assert_behaviour "EPERM ok ok" "t-a@1 takes over again"
status_is 0 consistent "after the disable"

echo "== 13. a dispatched patch's directory deleted by hand"
rm -r "$STORE/patches/t-a@1"
assert_behaviour "EPERM ok ok" "the stub runs it until recover"
status_is 2 drift "with the directory deleted"
assert_match "$(cat "$TDIR/status.out")" "its dispatched programs run until 'bpflp recover' records it disabled" "status says what still runs"
[[ $(cat "$TDIR/status.out") == *"runs for no active patch"* ]] && fail "the stub is not an orphan: its patch's directory went"
bpflp_ok recover > /dev/null 2>&1
assert_behaviour "ok ok ok" "after recover"
assert_eq "$(patch_field t-a@1 state) $(stubs)" "disabled 0" "t-a@1 recorded disabled, its stub detached"
bpflp_ok apply --dispatch "$(patch_obj t-r@1)" > /dev/null
rm -r "$STORE/patches/t-r@1"
rc=0
"$BPFLP" disable t-r@1 > /dev/null 2>&1 || rc=$?
bpflp_ok recover > /dev/null 2>&1
status_is 0 consistent "a disable after the directory went, then recover (disable exited $rc)"
assert_behaviour "ok ok ok" "nothing patched"
assert_eq "$(stubs) $(tracing_links)" "0 0" "no stub or link left"

echo "== 14. install --dispatch: boot applies it dispatched"
export BPFLP_STATE_DIR=$TDIR/state
out=$(bpflp_ok -j install --dispatch "$(patch_obj t-b@1)")
assert_eq "$(jq -r '"\(.action) \(.name)@\(.version) \(.dispatch)"' <<< "$out")" "installed t-b@1 true" "install -j says boot dispatches it"
rc=0
err=$("$BPFLP" install --dispatch "$(patch_obj t-o@1)" 2>&1 > /dev/null) || rc=$?
assert_eq "$rc" 1 "install --dispatch of a patch with an fexit program"
assert_match "$err" "with --dispatch: its fexit program on security_file_open is not an fmod_ret program" "the refusal"
assert_match "$(cat "$BPFLP_STATE_DIR/patches/manifest")" "name t-b" "the refused install left the installed one"
assert_eq "$(bpflp_ok boot)" "applied t-b@1 (replace, 1 function)" "boot"
assert_behaviour "ok EPERM ok" "with t-b@1 applied by boot"
assert_eq "$(func_field t-b@1 security_inode_unlink attached_via)" dispatch_stub "boot applied it dispatched"
bpflp_ok uninstall t-b > /dev/null
unset BPFLP_STATE_DIR
