#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The companion route on a function with a signed integer argument, which
# kernels since 6.3 flag BTF_FMODEL_SIGNED_ARG in the model the module reads
# (it once refused every such function with EOPNOTSUPP): c-sig@1 replaces
# do_unlinkat(int dfd, ...) and fails unlink of "bpflp-c-u*" with EDQUOT when
# dfd is AT_FDCWD (-100: the program reads the sign right) and EROFS for a
# directory's descriptor (unlinkat). The module runs it (IPMODIFY hook, no
# trampoline); after disable no hook, program, link or module is left and
# unlink works again.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

KO=$(kmod_path bpflp_companion)
[[ -r $KO ]] || fail "no $KO: run make kmod"
# In core_setup's directory: removed after bpflp_reset has disabled the patch,
# which would deny rm's unlinkat of the tagged names.
DIR=$TDIR/unlink
mkdir "$DIR"
DEV=/dev/bpflp_companion
PY=$(command -v /usr/bin/python3 || command -v python3)

# unlink_cwd NAME: unlink(NAME) relative to $DIR (dfd AT_FDCWD in the kernel).
unlink_cwd() { (cd "$DIR" && "$PROBE" unlink "$1"); }
# unlink_dirfd NAME: unlinkat(fd of $DIR, NAME) of a file it creates first.
unlink_dirfd() {
	"$PY" - "$DIR" "$1" <<- 'EOF'
		import errno, os, sys
		fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
		open(os.path.join(sys.argv[1], sys.argv[2]), "w").close()
		try:
		    os.unlink(sys.argv[2], dir_fd=fd)
		    print("ok")
		except OSError as e:
		    print(errno.errorcode[e.errno])
	EOF
}
# "CWD DIRFD" outcomes on tagged names; untagged ones always work.
unlink_outcomes() {
	local c
	c="$(unlink_cwd other-u) $(unlink_dirfd other-u)"
	[[ $c == "ok ok" ]] || fail "control name: $c"
	echo "$(unlink_cwd bpflp-c-u1) $(unlink_dirfd bpflp-c-u2)"
}
assert_unlink() { assert_eq "$(unlink_outcomes)" "$1" "unlink/unlinkat outcomes $2"; }
attached_funcs() { [[ -r $DEV ]] && awk '{ print $3 }' "$DEV" | sort | tr '\n' ' ' | sed 's/ $//'; }
# ftrace flags of a function's hook: I = IPMODIFY, D = direct (a trampoline),
# M = modified (6.12 marks a function an IPMODIFY or direct hook has changed).
hook_flags() { awk -v f="$1" '$1 == f { $1 = ""; $2 = ""; print }' "$TRACING/enabled_functions" | grep -o '\b[RIDM]\b' | tr -d '\n'; }
module_loaded() { [[ -e /sys/module/bpflp_companion ]] && echo yes || echo no; }
no_replace_progs() { ! bpftool -j prog list | jq -e '.[] | select(.name // "" | endswith("__replace"))' > /dev/null; }

# first_arg FUNC: FUNC's first parameter in this kernel's BTF, as "'name' KIND encoding=...".
first_arg() {
	local proto param type
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw > "$DIR/btf"
	proto=$(grep -m1 -oP "^\[\d+\] FUNC '$1' type_id=\K\d+" "$DIR/btf") || return 1
	param=$(grep -m1 -A1 "^\[$proto\] FUNC_PROTO " "$DIR/btf" | tail -n 1)
	type=$(grep -m1 "^\[${param##*type_id=}\] " "$DIR/btf")
	echo "$(awk '{ print $1 }' <<< "$param") $(awk '{ print $2, $NF }' <<< "$type")"
}
assert_eq "$(first_arg do_unlinkat)" "'dfd' INT encoding=SIGNED" "do_unlinkat's first argument: a signed int"
rm -f "$DIR/btf"
assert_eq "$("$BPFLP" -j probe do_unlinkat | jq -r '.[0].route')" companion "probe do_unlinkat"

MARK=$(kernel_log_mark)
links_before=$(live_link_ids)
assert_unlink "ok ok" "before the patch"
assert_eq "$(module_loaded)" no "module before the patch"

assert_eq "$(bpflp_ok apply "$(patch_obj c-sig@1)")" "applied c-sig@1 (replace, 1 function)" "apply c-sig@1"
assert_unlink "EDQUOT EROFS" "with c-sig@1"
[[ -e $DIR/bpflp-c-u1 && -e $DIR/bpflp-c-u2 ]] || fail "a refused unlink removed its file"
assert_eq "$(attached_funcs)" do_unlinkat "module attachments with c-sig@1"
assert_match "$(hook_flags do_unlinkat)" "^RIM?$" "do_unlinkat: an IPMODIFY ftrace hook, no trampoline"
show=$(bpflp_ok -j show c-sig)
assert_eq "$(jq -r '[.functions[] | "\(.function):\(.attached_via):\(.attached)"] | join(" ")' <<< "$show")" \
	"do_unlinkat:companion_module:true" "show: functions"
id=$(jq -r '.functions[0].prog_id' <<< "$show")
assert_eq "$(awk '$3 == "do_unlinkat" { print $1 }' "$DEV")" "$id" "the module runs the program show reports"

assert_eq "$(bpflp_ok disable c-sig)" "disabled c-sig@1" "disable"
assert_unlink "ok ok" "after disable"
assert_eq "$(module_loaded)" no "module unloaded with its last attachment"
[[ ! -e $DEV ]] || fail "$DEV still exists"
assert_untraced do_unlinkat "after disable"
wait_for 60 prog_gone "$id" || fail "program $id still loaded after disable"
wait_for 60 no_replace_progs || fail "__replace programs still loaded after disable"
assert_eq "$(live_link_ids)" "$links_before" "BPF links after disable"
assert_eq "$(patch_pins c-sig@1)" meta "pins left for c-sig@1"
assert_kernel_log_clean "$MARK"
