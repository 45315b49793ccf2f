# SPDX-License-Identifier: GPL-2.0
# Driver of the bad-input tests: badobj_run STATE PART... puts the machine in
# STATE, runs the PARTs of the corpus against it and prints the figure line.
# Sourced after lib.sh and corpus.sh by selftests/tests/input/4[0-4]_*.sh, which
# share the corpus out so that each stays well inside run-tests.sh's 180 s.
#   STATE pristine  no /sys/fs/bpf/bpflp at all
#         live      examples/deny-open.bpf.o ("example") active
#         idle      example applied and disabled again: records and shared
#                   maps exist, nothing is active
#   PART  apply, stack, check   the object corpus through that verb
#         args                  bad options, arguments and verbs
#         names                 disable/show of patches that are not there
#         json                  -j/-p refusals ("json-all": every one)
#         live, idle            cases that only mean something in that state
# The store is the test's own: one left idle by an earlier test is moved
# aside and put back at the end; anything the test made is removed.

_store_saved=''
_state_teardown() {
	disable_all
	if [[ -n $(active_patches) ]]; then
		echo "  teardown: patches still active, leaving $STORE as it is" >&2
		return
	fi
	rm -rf "$STORE"
	[[ -n $_store_saved ]] && mv "$_store_saved" "$STORE"
}

_state_setup() {
	work=$(mktemp -d /tmp/bpflp-badobj.XXXXXX)
	on_exit 'rm -rf "$work"'
	make_inputs "$work"
	example=$work/example.bpf.o
	if [[ -e $STORE ]]; then
		[[ -z $(active_patches) ]] ||
			fail "patches active before the test: $(active_patches | tr '\n' ' ')"
		# No dot in the name: bpffs refuses them (bpf_lookup reserves them, EPERM).
		_store_saved=/sys/fs/bpf/bpflp-saved-$$
		mv "$STORE" "$_store_saved" || fail "cannot move $STORE aside"
	fi
	on_exit _state_teardown
	[[ ! -e $STORE ]] || fail "$STORE still exists"
}

# _state_STATE: reach STATE from no store; badobj_restore gets back to it
# after a case changed something.
_state_pristine() {
	badobj_restore() {
		disable_all
		rm -rf "$STORE"
		badobj_rebase
	}
}

_state_live() {
	assert_ok "$BPFLP" apply "$example" > /dev/null
	assert_eq "$(active_patches)" "example@1" "active patches"
	badobj_restore() {
		disable_all
		"$BPFLP" apply "$example" > /dev/null || fail "cannot re-apply $example"
		badobj_rebase
	}
}

_state_idle() {
	assert_ok "$BPFLP" apply "$example" > /dev/null
	assert_ok "$BPFLP" disable example > /dev/null
	assert_eq "$(active_patches)" "" "active patches"
	badobj_restore() {
		disable_all
		badobj_rebase
	}
}

_part_live() {
	refused "stack a second version" "a version of example is already active" \
		"$BPFLP" apply --stack "$BADOBJ/example-v2.bpf.o"
	refused "disable an inactive version" "no active patch 'example@2'" \
		"$BPFLP" disable example@2
	refused "show an unknown version" "no patch 'example@2'" "$BPFLP" show example@2
}

_part_idle() {
	refused "disable a disabled patch" "no active patch 'example'" "$BPFLP" disable example
	refused "disable a disabled version" "no active patch 'example@1'" "$BPFLP" disable example@1
}

badobj_run() {
	local state=$1 part
	shift
	echo "# state $state: $*"
	_state_setup
	"_state_$state"
	badobj_rebase
	for part; do
		case $part in
		apply | stack | check) run_object_cases "$work" "$part" ;;
		args) run_arg_cases "$work" ;;
		names) run_name_cases ;;
		json) run_json_cases "$work" ;;
		json-all) run_json_cases "$work" all ;;
		live | idle) "_part_$part" ;;
		*) fail "unknown part $part" ;;
		esac
	done
	[[ $state != live ]] || assert_eq "$(active_patches)" "example@1" "active patches at the end"
	badobj_summary
}
