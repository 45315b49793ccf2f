#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp probe FUNC... tells how each function can be patched on this kernel,
# and check OBJ tells the same for every target of a patch:
#  a) fmod_ret: an LSM hook;
#  b) companion: an ordinary traceable function, when build/kmod's
#     bpflp_companion.ko fits this kernel; else observe_only, naming the
#     module problem (a module of another version, a missing file);
#  c) none: notrace, a symbol without BTF; a module's function is
#     observe_only (the companion module replaces vmlinux functions only);
#  d) observe_only: a name several static functions share;
#  e) an unknown name: exit 1, one error line, the others still printed;
#  f) 7 argument registers: none where BPF trampolines take 6 (6.1),
#     observe_only where they take 12 (6.12), the limit probed with one
#     empty fentry program that is gone afterwards; 6 or fewer probe nothing;
#  g) -j output valid against the schema, the unknown name included.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

companion_ko=$BPFLP_BUILD/kmod/$(uname -r)/bpflp_companion.ko
filters=$TRACING/available_filter_functions
version=$("$BPFLP" -j version | jq -r .version)

# probe_json FUNC [ENV...]: bpflp -j probe FUNC (exit 0, nothing on stderr) as "route|reason".
probe_json() {
	local func=$1 out rc=0
	shift
	out=$(env "$@" "$BPFLP" -j probe "$func" 2> "$TDIR/err") || rc=$?
	((rc == 0)) || fail "'bpflp -j probe $func' exited $rc: $out $(< "$TDIR/err")"
	[[ ! -s $TDIR/err ]] || fail "'bpflp -j probe $func' wrote to stderr: $(< "$TDIR/err")"
	jq -r '.[0] | "\(.route)|\(.reason)"' <<< "$out"
}

# expect_route FUNC ROUTE REASON [ENV...]: -j probe gives exactly that.
expect_route() {
	local func=$1 route=$2 reason=$3
	shift 3
	assert_eq "$(probe_json "$func" "$@")" "$route|$reason" "probe $func"
}

grep -qx do_unlinkat "$filters" || fail "do_unlinkat is not traceable here: pick another function"
grep -qx do_blk_trace_setup "$filters" &&
	fail "do_blk_trace_setup is traceable on this kernel: pick another notrace function"

echo "# a) fmod_ret"
expect_route security_file_open fmod_ret "an LSM hook (security_*): fmod_ret replaces it"

echo "# b) companion, or observe_only naming the module problem"
if [[ -f $companion_ko ]]; then
	expect_route do_unlinkat companion "traceable, 2 arguments: the companion module replaces it"
	expect_route vfs_statfs companion "traceable, 2 arguments: the companion module replaces it"
	# A signed argument (loff_t length) is no obstacle (6.12 flags it in the function's model).
	expect_route vfs_truncate companion "traceable, 2 arguments: the companion module replaces it"
else
	echo "  (no $companion_ko: the module is not built yet)"
	assert_match "$(probe_json do_unlinkat)" \
		"^observe_only\|companion module unusable: no bpflp_companion.ko for $(re_quote "$(uname -r)") \(-v says where bpflp looked\): build it \(make kmod\) or set BPFLP_KMOD$" \
		"probe do_unlinkat without the module"
	assert_match "$("$BPFLP" -v probe do_unlinkat 2>&1 >/dev/null)" \
		"no bpflp_companion.ko in /.*/kmod/$(re_quote "$(uname -r)")/, /.*/kmod/, /.*/lib/bpflp/modules/$(re_quote "$(uname -r)")/ or /lib/modules/$(re_quote "$(uname -r)")/" \
		"probe -v: where it looked"
fi
# A module of another version (the livepatch test module has none) is refused by its modinfo.
klp=$(kmod_path bpflp_test_klp)
expect_route do_unlinkat observe_only \
	"companion module unusable: $klp is version (none), bpflp is $version: use the module built with this bpflp" \
	BPFLP_KMOD="$klp"
expect_route do_unlinkat observe_only \
	"companion module unusable: BPFLP_KMOD=/nonexistent.ko: no such file" \
	BPFLP_KMOD=/nonexistent.ko
[[ -e /sys/module/bpflp_test_klp ]] && fail "probe loaded the module it checked"
# Without BPFLP_KMOD: beside the binary first (kmod/<release>/, then
# kmod/), then where make install puts it.
mkdir -p "$TDIR/build/kmod/$(uname -r)" "$TDIR/usr/sbin" "$TDIR/usr/lib/bpflp/modules/$(uname -r)"
cp "$BPFLP" "$TDIR/build/bpflp"
cp "$BPFLP" "$TDIR/usr/sbin/bpflp"
cp "$klp" "$TDIR/build/kmod/bpflp_companion.ko"
cp "$klp" "$TDIR/usr/lib/bpflp/modules/$(uname -r)/bpflp_companion.ko"
BPFLP=$TDIR/build/bpflp expect_route do_unlinkat observe_only \
	"companion module unusable: $TDIR/build/kmod/bpflp_companion.ko is version (none), bpflp is $version: use the module built with this bpflp"
cp "$klp" "$TDIR/build/kmod/$(uname -r)/bpflp_companion.ko"
BPFLP=$TDIR/build/bpflp expect_route do_unlinkat observe_only \
	"companion module unusable: $TDIR/build/kmod/$(uname -r)/bpflp_companion.ko is version (none), bpflp is $version: use the module built with this bpflp"
BPFLP=$TDIR/usr/sbin/bpflp expect_route do_unlinkat observe_only \
	"companion module unusable: $TDIR/usr/lib/bpflp/modules/$(uname -r)/bpflp_companion.ko is version (none), bpflp is $version: use the module built with this bpflp"

# The module lifecycle's refusals where modules load (the host has none).
unit=$(build_path selftests/unit/test_companion_kmod)
(cd "$BPFLP_ROOT" && "$unit" > "$TDIR/unit.log" 2>&1) || fail "test_companion_kmod: $(< "$TDIR/unit.log")"
assert_match "$(< "$TDIR/unit.log")" "PASSED  \] 3 test" "test_companion_kmod passes in the VM, nothing skipped"

echo "# c) none"
expect_route do_blk_trace_setup none \
	"not traceable (notrace, inlined or init-only: absent from $filters)"
expect_route v9fs_statfs observe_only "in module 9p: the companion module replaces functions of vmlinux only (their code cannot go away under its hook)"
# A compiler-made clone (foo.constprop.0) is a text symbol BTF does not describe.
clone=$(awk '$2 ~ /^[tT]$/ && NF == 3 && $3 ~ /^[a-z_0-9]+\.constprop\.0$/ { print $3; exit }' /proc/kallsyms)
[[ -n $clone ]] || fail "no .constprop.0 clone in /proc/kallsyms to probe"
expect_route "$clone" none "in /proc/kallsyms but not in vmlinux's BTF: BPF cannot attach to it"

echo "# d) a name several statics share"
# Traceable names with more than one vmlinux text symbol; probe takes 64 at a time.
awk '$2 ~ /^[tT]$/ && NF == 3 { print $3 }' /proc/kallsyms | sort | uniq -d > "$TDIR/dups"
grep -Fxf "$TDIR/dups" "$filters" | sort -u | head -n 64 > "$TDIR/traceable-dups"
mapfile -t dups < "$TDIR/traceable-dups"
((${#dups[@]} > 0)) || fail "no duplicated traceable name in /proc/kallsyms"
out=$("$BPFLP" -j probe "${dups[@]}" 2> "$TDIR/err") || fail "probe of ${#dups[@]} duplicated names: $(< "$TDIR/err")"
dup=$(jq -r '[.[] | select(.route == "observe_only" and (.reason | test("static functions are named")))][0].function // empty' <<< "$out")
[[ -n $dup ]] || fail "none of ${dups[*]} is observe_only as a shared name: $out"
n=$(awk -v f="$dup" '$2 ~ /^[tT]$/ && NF == 3 && $3 == f' /proc/kallsyms | wc -l)
expect_route "$dup" observe_only \
	"$n static functions are named $dup: BPF and ftrace take the first in kallsyms, a patch would miss the others"

echo "# e) an unknown name among known ones"
rc=0
out=$("$BPFLP" probe security_file_open bpflp_no_such_function do_blk_trace_setup 2> "$TDIR/err") || rc=$?
assert_eq "$rc" 1 "probe with an unknown name: exit status"
assert_eq "$(< "$TDIR/err")" \
	"bpflp: error: no function bpflp_no_such_function in this kernel (not in its BTF nor in /proc/kallsyms)" \
	"probe with an unknown name: the one error line"
assert_eq "$(awk 'NR > 1 { print $1 ":" $2 }' <<< "$out" | tr '\n' ' ')" \
	"security_file_open:fmod_ret do_blk_trace_setup:none " "probe with an unknown name: the others printed"
assert_eq "$(head -n 1 <<< "$out" | tr -s ' ')" "FUNCTION ROUTE REASON" "probe: the header"

echo "# f) the trampoline's argument limit, probed"
# __vfs_setxattr takes 7 pointers and scalars on 6.1 and on 6.12.
many=__vfs_setxattr
grep -qx "$many" "$filters" || fail "$many is not traceable here: pick another function of 7 arguments"
IFS=. read -r major minor _ <<< "$(uname -r)"
links_before=$(live_link_ids)
if ((major > 6 || (major == 6 && minor >= 6))); then
	expect_route "$many" observe_only "7 argument registers: the companion module passes at most 6"
	limit=12 outcome=attached
else
	expect_route "$many" none \
		"7 argument registers: this kernel's BPF trampolines take at most 6 argument registers (probed)"
	limit=6 outcome="refused with ENOTSUPP"
fi
out=$("$BPFLP" -v probe "$many" 2>&1 >/dev/null)
assert_match "$out" "an fentry program on [a-zA-Z0-9_]+ \(7 arguments\) $outcome" "probe -v: the probe's outcome"
assert_match "$out" "BPF trampolines take at most $limit argument registers \(probed\)" "probe -v: the limit"
no_probe_prog() { ! bpftool -j prog list | jq -e '.[] | select(.name == "bpflp_nr_args")' > /dev/null; }
wait_for 30 no_probe_prog || fail "the probe's fentry program is still loaded"
assert_eq "$(live_link_ids)" "$links_before" "BPF links after the probe"
out=$("$BPFLP" -v probe do_unlinkat 2>&1 >/dev/null)
[[ $out != *"fentry program"* ]] || fail "probe of a 2-argument function probed the trampoline: $out"

echo "# g) JSON"
out=$("$BPFLP" -j probe security_file_open do_unlinkat do_blk_trace_setup 2> "$TDIR/err") ||
	fail "-j probe: $(< "$TDIR/err")"
schema_expect probe "$out" "-j probe"
assert_eq "$(jq -r '[.[].function] | join(" ")' <<< "$out")" \
	"security_file_open do_unlinkat do_blk_trace_setup" "-j probe: every function, in order"
rc=0
out=$("$BPFLP" -j probe security_file_open bpflp_no_such_function 2> "$TDIR/err") || rc=$?
assert_eq "$rc" 1 "-j probe with an unknown name: exit status"
assert_eq "$(< "$TDIR/err")" "" "-j probe with an unknown name: stderr (the error is in the document)"
schema_expect probe "$out" "-j probe with an unknown name"
assert_eq "$(jq -c '[.[] | [.function, .route, .error]]' <<< "$out")" \
	'[["security_file_open","fmod_ret",null],["bpflp_no_such_function",null,"no function bpflp_no_such_function in this kernel (not in its BTF nor in /proc/kallsyms)"]]' \
	"-j probe with an unknown name: the entries"

echo "# check OBJ gives each target's route"
a1=$(patch_obj t-a@1)
out=$(bpflp_ok check "$a1")
assert_match "$out" $'security_file_open: in BTF, traceable, modifiable, verifier accepts\n      route fmod_ret: an LSM hook \\(security_\\*\\): fmod_ret replaces it' \
	"check: the route line"
out=$(bpflp_ok -j check "$a1")
schema_expect check "$out" "-j check"
assert_eq "$(jq -c '[.functions[] | [.function, .route, .reason]]' <<< "$out")" \
	'[["security_file_open","fmod_ret","an LSM hook (security_*): fmod_ret replaces it"]]' "check -j: route and reason"
schema_verify 3
