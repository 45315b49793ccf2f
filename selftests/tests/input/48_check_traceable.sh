#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check promises only what apply can do:
#  a) a function with BTF that ftrace cannot attach to (notrace: absent from
#     available_filter_functions) is refused by check and apply, naming why;
#  b) replacing a function of a module (9p, which has BTF) is refused,
#     naming the module: the companion module replaces vmlinux's only;
#  c) an fentry on a function with more argument registers than this
#     kernel's trampolines take (7: 6.1 takes 6, 6.12 takes 12) is refused
#     by check and apply in a sentence, not apply's errno 524; where the
#     kernel takes them, check passes and apply attaches; a variadic
#     function (seq_printf) is refused on every kernel;
#  e) a struct passed by value: over 16 bytes (rtc_tm_to_ktime's struct
#     rtc_time) check and apply refuse in a sentence; a 4-byte one
#     (from_kuid_munged's kuid_t) is observed, its value intact, and a
#     replacement of it is refused (no route passes structs);
#  f) a function the compiler specialised (__mutex_unlock_slowpath, only
#     __mutex_unlock_slowpath.constprop.0 in kallsyms and ftrace, no BTF):
#     check, apply and probe name the clone, not "unknown function";
#  d) when tracefs cannot be read, check says the traceability is unknown
#     and apply tries: the attach fails, and the post_unpatch callback of
#     the patch whose pre_patch ran is run (as livepatch does); nothing changes.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup
BADOBJ=$BPFLP_BUILD/selftests/tests/input/badobj
notrace=$(build_path selftests/tests/input/badobj/notrace-func.bpf.o)
modfunc=$(build_path selftests/tests/input/badobj/module-func.bpf.o)
many=$(build_path selftests/tests/input/badobj/many-args.bpf.o)
variadic=$(build_path selftests/tests/input/badobj/variadic.bpf.o)
struct_big=$(build_path selftests/tests/input/badobj/struct-big.bpf.o)
struct_small=$(build_path selftests/tests/input/badobj/struct-small.bpf.o)
struct_replace=$(build_path selftests/tests/input/badobj/struct-replace.bpf.o)
renamed=$(build_path selftests/tests/input/badobj/renamed-func.bpf.o)

grep -qx do_blk_trace_setup "$TRACING/available_filter_functions" &&
	fail "do_blk_trace_setup is traceable on this kernel: pick another notrace function"
[[ -e /sys/kernel/btf/9p ]] || fail "the 9p module has no BTF here (/sys/kernel/btf/9p)"

# expect_error WHAT MESSAGE CMD...: exit 1, exactly MESSAGE on stderr, nothing on stdout.
expect_error() {
	local what=$1 want=$2 out rc=0
	shift 2
	out=$("$@" 2> "$TDIR/err") || rc=$?
	assert_eq "$rc" 1 "$what: exit status"
	assert_eq "$out" "" "$what: stdout"
	assert_eq "$(< "$TDIR/err")" "$want" "$what: the error"
}

bpflp_ok apply "$(patch_obj t-cb@1)" > /dev/null
before=$(kernel_state)

echo "# a) not traceable"
for verb in check apply; do
	expect_error "$verb notrace-func" \
		"bpflp: error: $notrace: cannot attach fentry to do_blk_trace_setup: not traceable (notrace, inlined or init-only: absent from $TRACING/available_filter_functions); patch a traceable caller or callee instead" \
		"$BPFLP" "$verb" "$notrace"
done
out=$(bpflp_ok check "$(patch_obj t-a@1)")
assert_match "$out" "ok  fmod_ret  security_file_open: in BTF, traceable, modifiable, verifier accepts" "check: a traceable target"
assert_eq "$(bpflp_ok -j check "$(patch_obj t-a@1)" | jq -r '.functions[0].traceable')" true "check -j: traceable"

echo "# b) replacing a module's function"
for verb in check apply; do
	expect_error "$verb module-func" \
		"bpflp: error: $modfunc: cannot replace v9fs_statfs: in module 9p: the companion module replaces functions of vmlinux only (their code cannot go away under its hook)" \
		"$BPFLP" "$verb" "$modfunc"
done
assert_eq "$(kernel_state)" "$before" "nothing changed by the refusals"

echo "# c) more argument registers than the trampolines take"
if [[ $(uname -r) == 6.1.* ]]; then
	for verb in check apply; do
		expect_error "$verb many-args" \
			"bpflp: error: $many: cannot attach fentry to __vfs_setxattr: 7 argument registers: this kernel's BPF trampolines take at most 6 argument registers (probed); patch a caller or callee BPF can attach to instead" \
			"$BPFLP" "$verb" "$many"
	done
	assert_eq "$(kernel_state)" "$before" "nothing changed by the refusals"
else
	out=$(bpflp_ok check "$many")
	assert_match "$out" "ok  fentry    __vfs_setxattr: in BTF, traceable, verifier accepts" "check: 7 arguments fit this kernel"
	bpflp_ok apply "$many" --stack > /dev/null
	assert_eq "$(traced __vfs_setxattr)" yes "__vfs_setxattr carries the trampoline"
	bpflp_ok disable many-args > /dev/null
	wait_for 60 test "$(traced __vfs_setxattr)" = no || fail "__vfs_setxattr still traced after disable"
	before=$(kernel_state)	# many-args@1 keeps its record, disabled
fi
grep -qx seq_printf "$TRACING/available_filter_functions" ||
	fail "seq_printf is not traceable on this kernel: pick another variadic function"
for verb in check apply; do
	expect_error "$verb variadic" \
		"bpflp: error: $variadic: cannot attach fentry to seq_printf: variadic: BPF trampolines cannot take its arguments; patch a caller or callee BPF can attach to instead" \
		"$BPFLP" "$verb" "$variadic"
done
assert_eq "$(kernel_state)" "$before" "nothing changed by the refusals"

echo "# e) structs passed by value"
for f in rtc_tm_to_ktime from_kuid_munged; do
	grep -qx "$f" "$TRACING/available_filter_functions" ||
		fail "$f is not traceable on this kernel: pick another function taking a struct by value"
done
for verb in check apply; do
	expect_error "$verb struct-big" \
		"bpflp: error: $struct_big: cannot attach fentry to rtc_tm_to_ktime: argument 1 (tm) is a struct of 36 bytes passed by value: BPF trampolines take at most 16; patch a caller or callee BPF can attach to instead" \
		"$BPFLP" "$verb" "$struct_big"
	expect_error "$verb struct-replace" \
		"bpflp: error: $struct_replace: cannot replace from_kuid_munged: argument 2 (kuid) is a struct passed by value: the companion module passes scalars and pointers only" \
		"$BPFLP" "$verb" "$struct_replace"
done
assert_eq "$(kernel_state)" "$before" "nothing changed by the refusals"
out=$(bpflp_ok check "$struct_small")
assert_match "$out" "ok  fentry    from_kuid_munged: in BTF, traceable, verifier accepts" "check: a 4-byte struct argument"
on_exit "rm -f /sys/fs/bpf/bpflp_struct_seen"
bpflp_ok apply "$struct_small" --stack > /dev/null
owned=$TDIR/owned-by-4242
touch "$owned" && chown 4242 "$owned"
assert_eq "$(stat -c %u "$owned")" 4242 "stat reports the owner"
seen=$(bpftool -j map lookup pinned /sys/fs/bpf/bpflp_struct_seen key 0 0 0 0 |
	jq -r '(.formatted // .).value | if type == "array" then (map(tonumber) | to_entries | map(.value * pow(256; .key)) | add) else . end')
((seen > 0)) || fail "from_kuid_munged's fentry never saw uid 4242 (seen: $seen)"
bpflp_ok disable struct-small > /dev/null
wait_for 60 untraced from_kuid_munged || fail "from_kuid_munged still traced after disable"
rm -f /sys/fs/bpf/bpflp_struct_seen
before=$(kernel_state)	# struct-small@1 keeps its record, disabled

echo "# f) a function only its compiler clone carries"
clone=$(grep -m1 '^__mutex_unlock_slowpath\.' "$TRACING/available_filter_functions" | cut -d' ' -f1)
[[ -n $clone ]] && ! grep -qx __mutex_unlock_slowpath "$TRACING/available_filter_functions" ||
	fail "__mutex_unlock_slowpath is not renamed on this kernel: pick another function only a clone carries"
for verb in check apply; do
	expect_error "$verb renamed-func" \
		"bpflp: error: $renamed: cannot attach fentry to __mutex_unlock_slowpath: the compiler specialised it into $clone, whose prototype differs from the source's, so it has no BTF and BPF cannot attach to it; patch a caller or callee BPF can attach to instead" \
		"$BPFLP" "$verb" "$renamed"
done
assert_eq "$(kernel_state)" "$before" "nothing changed by the refusals"
assert_match "$(bpflp_ok probe __mutex_unlock_slowpath)" "the compiler specialised it into $(re_quote "$clone")" "probe names the clone"

echo "# d) tracefs unreadable: try, and undo pre_patch with post_unpatch"
# A private mount namespace hides tracefs (and debugfs' tracing) from bpflp
# only; an empty copy directory hides the copy of the list earlier runs
# kept (docs/cli.md, "Files"), which answers without tracefs.
notracefs() {
	BPFLP_CACHE_DIR=$TDIR/no-copy unshare -m sh -c \
		'mount -t tmpfs none /sys/kernel/tracing && mount -t tmpfs none /sys/kernel/debug && exec "$@"' notracefs "$@"
}
expect_error "check without tracefs, from the copy earlier runs kept" \
	"bpflp: error: $notrace: cannot attach fentry to do_blk_trace_setup: not traceable (notrace, inlined or init-only: absent from $TRACING/available_filter_functions); patch a traceable caller or callee instead" \
	unshare -m sh -c 'mount -t tmpfs none /sys/kernel/tracing && mount -t tmpfs none /sys/kernel/debug && exec "$@"' notracefs "$BPFLP" check "$notrace"
warning="bpflp: warning: cannot read $TRACING/available_filter_functions (No such file or directory): whether functions are traceable is not checked before attaching"
out=$(notracefs "$BPFLP" check "$notrace" 2> "$TDIR/err") || fail "check without tracefs failed: $(< "$TDIR/err")"
assert_match "$out" "ok  fentry    do_blk_trace_setup: in BTF, traceability unknown, verifier accepts" "check says it does not know"
assert_eq "$(< "$TDIR/err")" "$warning" "check without tracefs: the warning"
assert_eq "$(notracefs "$BPFLP" -j check "$notrace" 2>/dev/null | jq -r '.functions[0].traceable')" null "check -j: traceable unknown"

rc=0
out=$(notracefs "$BPFLP" apply "$(patch_obj t-ntcb@1)" 2> "$TDIR/err") || rc=$?
assert_eq "$rc" 1 "apply of t-ntcb without tracefs: exit status"
assert_eq "$(< "$TDIR/err")" "$warning
bpflp: error: cannot attach fentry to do_blk_trace_setup: Device or resource busy" "apply: the warning, then the attach error"
assert_eq "$(cblog)" "11 12 51 54" "callbacks: t-ntcb's pre_patch ran, then its post_unpatch"
assert_eq "$(kernel_state)" "$before" "nothing changed by the failed apply"
assert_eq "$(active_patches)" "t-cb@1" "t-cb@1 still active"
assert_behaviour "EPERM ok ok" "t-cb@1 still serves calls"
