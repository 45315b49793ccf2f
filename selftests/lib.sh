# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for the in-VM tests, selftests/tests/AREA/NN_*.sh. Source it first:
#   . "$(dirname "$0")/../../lib.sh"
# Exit codes: 0 pass, 77 skip, anything else fail (see run-tests.sh).
# Assertions print what failed and exit the test at once; the teardown
# registered with on_exit still runs.

set -u

BPFLP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BPFLP_BUILD=$BPFLP_ROOT/build
KSKIP=77

# build_path REL: absolute path of build/REL; fails the test if missing.
# BPFLP_BIN, when set, is the bpflp to test (e.g. make check-asan's build).
build_path() {
	local p=$BPFLP_BUILD/$1
	[[ $1 == bpflp && -n ${BPFLP_BIN:-} ]] && p=$BPFLP_BIN
	[[ -e $p ]] || fail "missing $p (run 'make all kmod' first)"
	echo "$p"
}

# patch_obj NAME@VERSION: the test patch of that name, built from
# selftests/tests/AREA/NAME@VERSION.bpf.c in whichever area defines it (an
# area's tests use the patches of others too); fails the test if missing.
patch_obj() {
	local objs=("$BPFLP_BUILD"/selftests/tests/*/"$1.bpf.o")
	[[ -e ${objs[0]} ]] || fail "missing test patch $1 (build/selftests/tests/*/$1.bpf.o; run 'make all kmod' first)"
	echo "${objs[0]}"
}

# kmod_path NAME: build_path of module NAME built for the running kernel
# (make kmod builds kmod/ for each guest kernel, in build/kmod/<release>/).
kmod_path() { build_path "kmod/$(uname -r)/$1.ko"; }

# re_quote TEXT: TEXT as a regex that matches itself: a release such as
# 6.12's has a '+', which assert_match would read as an operator.
re_quote() { sed 's/[][\\.*^$+?(){}|]/\\&/g' <<< "$1"; }

# other_release: a kernel release that is not this one's, of the same length,
# so a module's vermagic can be rewritten in place (every digit made a 9).
other_release() { uname -r | tr '0-8' '9'; }

# with_other_vermagic SRC DST: module SRC copied to DST, built for other_release.
with_other_vermagic() {
	RELEASE=$(uname -r) OTHER=$(other_release) \
		perl -pe 's/vermagic=\Q$ENV{RELEASE}\E /vermagic=$ENV{OTHER} /' "$1" > "$2"
	! cmp -s "$1" "$2" || fail "cannot rewrite the vermagic of $1"
}

fail() {
	echo "  FAIL: $*" >&2
	exit 1
}

skip() {
	echo "$*" >&2
	exit $KSKIP
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	[[ $1 == "$2" ]] || fail "$3: got '$1', want '$2'"
	echo "  ok: $3 = '$2'"
}

# assert_ok CMD [ARGS...]: CMD must exit 0.
assert_ok() {
	local rc=0
	"$@" || rc=$?
	((rc == 0)) || fail "'$*' exited $rc"
}

# assert_match TEXT REGEX WHAT
assert_match() {
	[[ $1 =~ $2 ]] || fail "$3: '$1' does not match /$2/"
	echo "  ok: $3"
}

# wait_for SECONDS CMD [ARGS...]: poll CMD every 0.1 s until it succeeds.
wait_for() {
	local tries=$(($1 * 10))
	shift
	while ! "$@"; do
		((--tries > 0)) || return 1
		sleep 0.1
	done
}

# schema_expect DEF DOC LABEL: DOC (bpflp -j output) must be a valid
# $defs/DEF document of docs/schema/bpflp-output.schema.json; schema_verify
# checks every document expected so far in one python3 run, which takes
# ~2.5 s to start in the TCG guest: one start per test, not per document.
_schema_docs=''
_schema_count=0
schema_expect() {
	if [[ -z $_schema_docs ]]; then
		_schema_docs=$(mktemp -d /tmp/bpflp-schema.XXXXXX)
		on_exit "rm -rf '$_schema_docs'"
	fi
	_schema_count=$((_schema_count + 1))
	printf '%s\n' "$2" > "$_schema_docs/$_schema_count.$1"
	printf '%s\n' "$3" > "$_schema_docs/$_schema_count.label"
}

# schema_verify [COUNT]: fail unless every expected document is valid (and,
# with COUNT, unless exactly COUNT were expected); skip without jsonschema.
schema_verify() {
	local out rc=0 py
	[[ -n $_schema_docs ]] || fail "schema_verify: no document was expected"
	py=$(command -v /usr/bin/python3 || command -v python3) || skip "no python3 (selftests/vm/deps.sh installs it)"
	out=$("$py" "$BPFLP_ROOT/selftests/check_schema.py" \
		"$BPFLP_ROOT/docs/schema/bpflp-output.schema.json" --dir "$_schema_docs") || rc=$?
	((rc == 4)) && skip "no python3-jsonschema (selftests/vm/deps.sh installs it)"
	((rc == 0)) || fail "documents that do not match the schema (listed above); $out"
	[[ -z ${1:-} ]] || assert_eq "$out" "$1 valid, 0 invalid" "documents validated against the schema"
	echo "  ok: $out against docs/schema/bpflp-output.schema.json"
	rm -rf "${_schema_docs:?}"/*
}

# on_exit CMD: run CMD (a string, eval'd) when the test exits, last
# registered first, whatever the exit status. Teardown must not fail the test.
_bpflp_teardown=()
_bpflp_run_teardown() {
	local rc=$? i
	for ((i = ${#_bpflp_teardown[@]} - 1; i >= 0; i--)); do
		eval "${_bpflp_teardown[i]}" || true
	done
	exit $rc
}
on_exit() {
	_bpflp_teardown+=("$1")
	trap _bpflp_run_teardown EXIT
}

# require_root, require_vm: skip when the test cannot run here.
require_root() { [[ $(id -u) == 0 ]] || skip "needs root"; }
require_vm() { [[ ${BPFLP_VM:-} == 1 ]] || skip "needs the test VM (selftests/vm/run-in-vm.sh)"; }

# require_patchable SPEC: skip where the kernel cannot run patches (no
# tracefs, or tracing programs refused before the verifier, as on the host),
# judged by 'bpflp check' of patch SPEC; any other refusal fails the test.
require_patchable() {
	local out

	[[ -r /sys/kernel/tracing/enabled_functions ]] || skip "no /sys/kernel/tracing/enabled_functions (tracefs)"
	if ! out=$("$(build_path bpflp)" check "$(patch_obj "$1")" 2>&1); then
		[[ $out == *"refuses to load tracing programs"* ]] &&
			skip "this kernel refuses fentry/fmod_ret (run in the test VM)"
		fail "bpflp check $1: $out"
	fi
}

# kernel_log_mark: write a unique line to the kernel log and print it, for
# assert_kernel_log_clean later.
kernel_log_mark() {
	local marker="bpflp-selftest: $(basename "$0") $$ $RANDOM"
	echo "$marker" > /dev/kmsg
	echo "$marker"
}

# assert_kernel_log_clean MARKER: no WARNING, BUG, Oops or stall in the kernel log since MARKER.
assert_kernel_log_clean() {
	local log
	log=$(dmesg | sed -n "/$1/,\$p" |
		grep -E 'WARNING|BUG|Oops|Call Trace|detected stalls|soft lockup|blocked for more than' || true)
	[[ -z $log ]] || fail "kernel log since the test started:"$'\n'"$log"
	echo "  ok: no WARNING/BUG/Oops in the kernel log"
}
