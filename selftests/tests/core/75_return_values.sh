#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The values a replacement can make a function return, asserted with
# system calls (rv.bpf.h beside it):
#  1) BPFLP_REPLACE_ANY makes vfs_truncate return 0 where the original
#     fails (truncate() of a directory: EISDIR -> success);
#  2) BPFLP_REPLACE_ANY makes security_task_prctl, an LSM hook fmod_ret
#     reaches, return 0 (an unknown prctl option: EINVAL -> success):
#     check says it takes the companion route, and it does (an IPMODIFY
#     ftrace hook, no trampoline);
#  3) BPFLP_REPLACE's convention is unchanged (rv-any@2): 0 runs the
#     original (EISDIR and EINVAL stay), non-zero replaces it (EDQUOT,
#     EPERM), and security_task_prctl is back on fmod_ret (a trampoline);
#  4) touch_atime, a void function, replaced both ways: its body is skipped
#     (reading a file no longer updates its atime); check and probe agree;
#  5) where the companion module is unusable (BPFLP_KMOD=/nonexistent.ko),
#     check and apply of a BPFLP_REPLACE_ANY patch on an LSM hook fail
#     with one line naming the module and the way out, and nothing changes.
# Disable restores every behaviour and leaves no hook, link or module.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

KO=$(kmod_path bpflp_companion)
[[ -r $KO ]] || fail "no $KO: run make kmod"
DEV=/dev/bpflp_companion
DIR=$(mktemp -d /tmp/bpflp-rv.XXXXXX) # a tmpfs, relatime: an old atime is updated by a read
on_exit "rm -rf '$DIR'"
mkdir "$DIR/bpflp-r-z" "$DIR/bpflp-r-q" "$DIR/other-dir"
echo data > "$DIR/bpflp-r-a-file"
echo data > "$DIR/other-file"
# As in rv.bpf.h; RV_PRCTL_OTHER is unknown to the kernel and to every patch.
RV_PRCTL_ZERO=$((0x52560001)) RV_PRCTL_DENY=$((0x52560002)) RV_PRCTL_OTHER=$((0x52560003))

# rv_calls OP ARG [OP ARG...]: one system call per pair, in one process;
# their outcomes, space-separated, each "ok" or the errno's name:
#   truncate DIR  truncate(DIR, 0)
#   prctl OPTION  prctl(OPTION, 0, 0, 0, 0)
#   atime FILE    set FILE's atime to 2000-01-01 and read FILE: "kept" or "updated"
rv_calls() {
	perl -e '
		use Errno;
		my $old = 946684800;
		my @out;
		sub outcome {
			return "ok" if $_[0];
			for (sort keys %!) { return $_ if $!{$_} }
			return "errno=" . ($! + 0);
		}
		while (my ($op, $arg) = splice(@ARGV, 0, 2)) {
			if ($op eq "truncate") {
				push @out, outcome(truncate($arg, 0));
			} elsif ($op eq "prctl") {
				push @out, outcome(syscall(157, int($arg), 0, 0, 0, 0) == 0); # __NR_prctl, x86-64
			} elsif ($op eq "atime") {
				utime($old, time, $arg) && open(my $f, "<", $arg) or die "rv_calls: $arg: $!\n";
				read($f, my $buf, 4);
				close($f);
				push @out, (stat $arg)[8] == $old ? "kept" : "updated";
			} else {
				die "rv_calls: unknown op $op\n";
			}
		}
		print "@out\n";
	' "$@"
}

# "TRUNCATE-z TRUNCATE-q PRCTL-zero PRCTL-deny ATIME", after checking the
# controls (paths and options no patch touches) behave as without bpflp.
behaviour() {
	local out
	out=$(rv_calls truncate "$DIR/other-dir" prctl $RV_PRCTL_OTHER atime "$DIR/other-file" \
		truncate "$DIR/bpflp-r-z" truncate "$DIR/bpflp-r-q" \
		prctl $RV_PRCTL_ZERO prctl $RV_PRCTL_DENY atime "$DIR/bpflp-r-a-file")
	[[ $out == "EISDIR EINVAL updated "* ]] || fail "controls: got '$out'"
	echo "${out#EISDIR EINVAL updated }"
}
assert_behaviour() { assert_eq "$(behaviour)" "$1" "truncate z/q, prctl zero/deny, atime $2"; }
# The functions the module holds, sorted, from its listing.
attached_funcs() { [[ -r $DEV ]] && awk '{ print $3 }' "$DEV" | sort | tr '\n' ' ' | sed 's/ $//'; }
# ftrace flags of a function's hook: I = IPMODIFY (the module), D = direct (a trampoline).
hook_flags() { awk -v f="$1" '$1 == f { $1 = ""; $2 = ""; print }' "$TRACING/enabled_functions" | grep -o '\b[RID]\b' | tr -d '\n'; }
module_loaded() { [[ -e /sys/module/bpflp_companion ]] && echo yes || echo no; }
no_replace_progs() { ! bpftool -j prog list | jq -e '.[] | select(.name // "" | endswith("__replace"))' > /dev/null; }
# check_routes JSON: "func:route" per target of a -j check document.
check_routes() { jq -r '[.functions[] | "\(.function):\(.route)"] | join(" ")' <<< "$1"; }

MARK=$(kernel_log_mark)
UNPATCHED="EISDIR EISDIR EINVAL EINVAL updated"
assert_behaviour "$UNPATCHED" "before any patch"

echo "# check and probe: BPFLP_REPLACE_ANY takes the companion route; void is replaceable"
any_check=$(bpflp_ok -j check "$(patch_obj rv-any@1)")
assert_eq "$(check_routes "$any_check")" \
	"vfs_truncate:companion security_task_prctl:companion touch_atime:companion" "check -j rv-any@1: routes"
schema_expect check "$any_check" "-j check of a BPFLP_REPLACE_ANY patch"
assert_eq "$(check_routes "$(bpflp_ok -j check "$(patch_obj rv-any@2)")")" \
	"vfs_truncate:companion security_task_prctl:fmod_ret touch_atime:companion" "check -j rv-any@2: routes"
out=$(bpflp_ok check "$(patch_obj rv-any@1)")
assert_match "$out" "route companion: BPFLP_REPLACE_ANY may return any value, 0 included, which only the companion module can" \
	"check rv-any@1: why security_task_prctl goes through the module"
assert_match "$(grep -A1 ' touch_atime:' <<< "$out")" "returns void: the replacement skips its body" \
	"check rv-any@1: what replacing the void touch_atime means"
assert_eq "$(bpflp_ok -j probe touch_atime | jq -r '.[0].route')" companion "probe touch_atime (void): replaceable"
assert_eq "$(module_loaded)" no "check loads no module"

echo "# 1, 2, 4: BPFLP_REPLACE_ANY returns 0 and skips a void body"
assert_eq "$(bpflp_ok apply "$(patch_obj rv-any@1)")" "applied rv-any@1 (replace, 3 functions)" "apply rv-any@1"
assert_behaviour "ok EISDIR ok EINVAL kept" "with rv-any@1"
assert_eq "$(attached_funcs)" "security_task_prctl touch_atime vfs_truncate" "module attachments with rv-any@1"
assert_eq "$(hook_flags security_task_prctl)" "RI" "security_task_prctl: the module's IPMODIFY hook, no trampoline"
show=$(bpflp_ok -j show rv-any)
assert_eq "$(jq -r '[.functions[] | "\(.function):\(.attached_via)"] | join(" ")' <<< "$show")" \
	"vfs_truncate:companion_module security_task_prctl:companion_module touch_atime:companion_module" "show rv-any@1"
for f in vfs_truncate security_task_prctl touch_atime; do
	n=$(jq -r --arg f "$f" '.functions[] | select(.function == $f) | .overrides' <<< "$show")
	((n >= 1)) || fail "show: $f overrides $n, want >= 1"
done
any_ids=$(jq -r '[.functions[].prog_id] | join(" ")' <<< "$show")

echo "# 3: BPFLP_REPLACE's convention, as before (cumulative replace)"
assert_eq "$(bpflp_ok apply "$(patch_obj rv-any@2)")" "applied rv-any@2 (replace, 3 functions); replaced rv-any@1" \
	"apply rv-any@2"
assert_behaviour "EISDIR EDQUOT EINVAL EPERM kept" "with rv-any@2: 0 runs the original"
assert_eq "$(attached_funcs)" "touch_atime vfs_truncate" "module attachments with rv-any@2"
assert_eq "$(hook_flags security_task_prctl)" "RD" "security_task_prctl: a trampoline (fmod_ret) again"
conv_links=$(patch_link_ids rv-any@2)
assert_links_live "$conv_links" "rv-any@2's fmod_ret link"
for id in $any_ids; do
	wait_for 60 prog_gone "$id" || fail "rv-any@1's program $id still loaded after the replace"
done

echo "# downgrade to rv-any@1, then disable"
assert_eq "$(bpflp_ok apply "$(patch_obj rv-any@1)")" "applied rv-any@1 (replace, 3 functions); replaced rv-any@2" \
	"downgrade to rv-any@1"
assert_behaviour "ok EISDIR ok EINVAL kept" "after the downgrade"
assert_links_gone "$conv_links" "rv-any@2's links after the downgrade"
assert_eq "$(hook_flags security_task_prctl)" "RI" "security_task_prctl: on the module again"
assert_eq "$(bpflp_ok disable rv-any)" "disabled rv-any@1" "disable"
assert_behaviour "$UNPATCHED" "after disable"
assert_eq "$(module_loaded)" no "module unloaded with its last attachment"
for f in vfs_truncate security_task_prctl touch_atime; do
	assert_untraced "$f" "after disable"
done
wait_for 60 no_replace_progs || fail "__replace programs still loaded after disable"
assert_eq "$(patch_pins rv-any@1)" meta "pins left for rv-any@1"

echo "# 5: BPFLP_REPLACE_ANY where the companion module is unusable: refused, nothing changes"
before=$(kernel_state)
want="bpflp: error: $(patch_obj rv-prctl@1): cannot replace security_task_prctl with BPFLP_REPLACE_ANY, which needs the companion module \(fmod_ret runs the original when its program returns 0\), and the module is unusable: BPFLP_KMOD=/nonexistent.ko: no such file; make it usable \(make kmod, or BPFLP_KMOD=its path\), or use BPFLP_REPLACE where 0 may mean \"run the original\"$"
for verb in check apply; do
	out=$(BPFLP_KMOD=/nonexistent.ko "$BPFLP" "$verb" "$(patch_obj rv-prctl@1)" 2>&1) &&
		fail "$verb of a BPFLP_REPLACE_ANY patch without a usable module succeeded: $out"
	assert_match "$out" "^$want" "$verb without the module: error"
	assert_eq "$(wc -l <<< "$out")" 1 "$verb without the module: one line"
done
out=$(BPFLP_KMOD=/nonexistent.ko "$BPFLP" apply "$(patch_obj rv-any@1)" 2>&1) &&
	fail "apply of rv-any@1 without a usable module succeeded: $out"
assert_eq "$(wc -l <<< "$out")" 1 "rv-any@1 without the module: one line ($out)"
assert_eq "$(kernel_state)" "$before" "kernel state after the refusals"
assert_eq "$(module_loaded)" no "no module loaded by the refusals"
assert_behaviour "$UNPATCHED" "after the refusals"
assert_kernel_log_clean "$MARK"
echo "  ok: return values: 0 through BPFLP_REPLACE_ANY, the old convention, void functions, refusal"
schema_verify 1
