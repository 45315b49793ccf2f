# SPDX-License-Identifier: GPL-2.0
# The bad-input corpus, sourced by selftests/tests/input/4*_*.sh after lib.sh.
# Each case is a bpflp command line that must be refused (see refused() in
# lib.sh) with an error matching a case-specific regex.

# make_inputs DIR: the bad objects that need no compiler, made in DIR (a
# tmpfs in the VM), plus example.bpf.o, a copy of examples/deny-open.bpf.o
# (patch "example", version 1).
make_inputs() {
	local w=$1 good
	good=$(build_path examples/deny-open.bpf.o)
	cp "$good" "$w/example.bpf.o"
	mkdir "$w/directory.bpf.o"
	mkfifo "$w/fifo.bpf.o"
	ln -s loop.bpf.o "$w/loop.bpf.o"
	: > "$w/empty.bpf.o"
	head -c 32 "$good" > "$w/short.bpf.o"
	head -c 64 "$good" > "$w/header-only.bpf.o"
	head -c 1024 "$good" > "$w/truncated.bpf.o"
	printf 'this is not an object file, just text.%.0s\n' {1..64} > "$w/garbage.bpf.o"
	{ printf '\177ELF\007\007\007'; printf 'x%.0s' {1..100}; } > "$w/elf-garbage.bpf.o"
	# A valid object whose section header table points far past the end.
	cp "$good" "$w/bad-shoff.bpf.o"
	printf '\377\377\377\377\377\377\377\177' |
		dd of="$w/bad-shoff.bpf.o" bs=1 seek=40 conv=notrunc status=none
	# Sparse: one byte and one MiB over the 64 MiB limit.
	cp "$good" "$w/huge.bpf.o"
	truncate -s $((64 * 1024 * 1024 + 1)) "$w/huge.bpf.o"
	: > "$w/huger.bpf.o"
	truncate -s 65M "$w/huger.bpf.o"
}

# object_cases DIR: "LABEL|PATH|REGEX|VERBS" lines (no '|' in a REGEX). VERBS: "apply" and
# "check" must both refuse it (check only where it gets that far: it runs no
# callbacks); "stack" marks objects that get past the checks done before the
# transaction, so "apply --stack" takes a different path worth trying too.
object_cases() {
	local w=$1 b=$BADOBJ
	cat <<-EOF
	missing|$w/missing.bpf.o|cannot open patch object .*: No such file|apply check
	empty-path||cannot open patch object|apply check
	directory|$w/directory.bpf.o|is a directory|apply check
	dev-null|/dev/null|is not a regular file|apply check
	fifo|$w/fifo.bpf.o|is not a regular file|apply check
	symlink-loop|$w/loop.bpf.o|cannot open patch object .*symbolic links|apply check
	empty-file|$w/empty.bpf.o|is not an ELF file|apply check
	short-file|$w/short.bpf.o|is not an ELF file|apply check
	header-only|$w/header-only.bpf.o|cannot parse BPF object|apply check
	truncated-elf|$w/truncated.bpf.o|cannot parse BPF object|apply check
	garbage|$w/garbage.bpf.o|is not an ELF file|apply check
	elf-garbage|$w/elf-garbage.bpf.o|is not a BPF object for this machine|apply check
	bad-section-table|$w/bad-shoff.bpf.o|cannot parse BPF object|apply check
	huge-64MiB+1|$w/huge.bpf.o|too large for a patch object \\(67108865 bytes, limit 67108864\\)|apply check
	huge-65MiB|$w/huger.bpf.o|too large for a patch object|apply check
	x86-64-object|$b/host-x86_64.o|is not a BPF object for this machine \\(ELF machine 62\\)|apply check
	i386-object|$b/host-i386.o|is not a BPF object for this machine|apply check
	x86-64-executable|/bin/true|is not a BPF object for this machine \\(ELF machine 62\\)|apply check
	big-endian-bpf|$b/bpfeb.bpf.o|is not a BPF object for this machine|apply check
	no-btf|$b/nobtf.bpf.o|BTF|apply check
	no-identity|$b/no-identity.bpf.o|has no BPFLP_PATCH\\(name, version\\)|apply check
	bad-magic|$b/bad-magic.bpf.o|has no BPFLP_PATCH\\(name, version\\)|apply check
	abi-mismatch|$b/abi-mismatch.bpf.o|built for bpflp ABI 99|apply check
	name-slash|$b/name-slash.bpf.o|bad patch name 'a/b'|apply check
	name-dotdot|$b/name-dotdot.bpf.o|bad patch name '\\.\\.'|apply check
	name-escape|$b/name-escape.bpf.o|bad patch name '\\.\\./\\.\\./\\.\\./\\.\\./tmp/bpflp-escape'|apply check
	name-uppercase|$b/name-upper.bpf.o|bad patch name 'Example'|apply check
	name-33-chars|$b/name-long.bpf.o|bad patch name|apply check stack
	name-empty|$b/name-empty.bpf.o|bad patch name ''|apply check
	name-at-sign|$b/name-at.bpf.o|bad patch name 'ex@1'|apply check
	name-space|$b/name-space.bpf.o|bad patch name 'a b'|apply check
	duplicate-target|$b/dup-target.bpf.o|two fmod_ret programs target security_file_open|apply check
	gate-bypass-name|$b/gate-bypass-name.bpf.o|program 'watch_unlink' bypasses the bpflp gate|apply check
	gate-no-key|$b/gate-no-key.bpf.o|program 'do_unlinkat__entry' has no gate key|apply check
	gate-bypass-ungated|$b/gate-bypass-ungated.bpf.o|program 'do_unlinkat__entry' never reads the commit word|apply check stack
	unknown-function|$b/unknown-func.bpf.o|unknown kernel function 'bpflp_no_such_function'|apply check
	notrace-function|$b/notrace-func.bpf.o|cannot attach fentry to do_blk_trace_setup: not traceable \\(notrace, inlined or init-only|apply check
	module-function|$b/module-func.bpf.o|cannot replace v9fs_statfs: in module 9p: the companion module replaces functions of vmlinux only|apply check
	fmod_ret-non-security|$b/fmodret-nonsecurity.bpf.o|cannot attach fmod_ret to do_unlinkat: not modifiable|apply check
	replace-bad-prototype|$b/replace-bad-proto.bpf.o|BPFLP_REPLACE\\(vfs_truncate\\) argument 1 is struct file \\*, the kernel's vfs_truncate takes struct path \\*|apply check
	replace-extra-argument|$b/replace-extra-arg.bpf.o|BPFLP_REPLACE\\(vfs_truncate\\) declares 3 arguments, the kernel's vfs_truncate takes 2|apply check
	replace-notrace|$b/replace-notrace.bpf.o|cannot attach replace to do_blk_trace_setup: not traceable|apply check
	replace-and-observe|$b/replace-and-observe.bpf.o|vfs_truncate is replaced through the companion module, so the same patch cannot also attach fentry to it|apply check
	replace-twice|$b/replace-twice.bpf.o|security_file_open is replaced twice|apply check
	verifier-null-deref|$b/verifier-null.bpf.o|verifier rejected program 'do_unlinkat__entry': .*invalid mem access 'map_value_or_null'|apply check stack
	verifier-ctx-bounds|$b/verifier-ctx.bpf.o|verifier rejected program 'security_file_open__ret': .*invalid bpf_context access|apply check stack
	verifier-license|$b/license.bpf.o|verifier rejected program 'do_unlinkat__entry': .*cannot call GPL-restricted function|apply check stack
	pre_patch-fails|$b/prepatch-fail.bpf.o|pre_patch callback of prepatch-fail returned -19|apply stack
	syscall-not-callback|$b/syscall-unnamed.bpf.o|syscall program 'setup' is not a bpflp callback|apply check
	no-patch-programs|$b/no-programs.bpf.o|contains no patch programs|apply check
	kprobe-program|$b/kprobe-prog.bpf.o|section 'kprobe/do_unlinkat' is not a bpflp program|apply check
	tp_btf-program|$b/tp-btf.bpf.o|section 'tp_btf/sched_switch' is not a bpflp program|apply check
	sleepable-fentry|$b/sleepable.bpf.o|section 'fentry.s/do_unlinkat' is not a bpflp program|apply check
	1025-programs|$b/too-many.bpf.o|1025 programs, more than the 1024 a patch may hold|apply check
	EOF
}

# run_object_cases DIR VERB...: every object case through each VERB it lists.
run_object_cases() {
	local w=$1 label path regex verbs verb
	shift
	while IFS='|' read -r label path regex verbs; do
		for verb in $verbs; do
			[[ " $* " == *" $verb "* ]] || continue
			case $verb in
			apply) refused "apply $label" "$regex" "$BPFLP" apply "$path" ;;
			stack) refused "apply --stack $label" "$regex" "$BPFLP" apply --stack "$path" ;;
			check) refused "check $label" "$regex" "$BPFLP" check "$path" ;;
			esac
		done
	done <<< "$(object_cases "$w")"
}

# run_arg_cases DIR: bad command lines: options, arguments, verbs. Parsing
# only: what they do does not depend on the state (see run_name_cases).
run_arg_cases() {
	local w=$1 ok=$1/example.bpf.o
	refused "apply --bogus" "unknown option '--bogus' for apply" "$BPFLP" apply --bogus "$ok"
	refused "apply -x" "unknown option '-x' for apply" "$BPFLP" apply -x "$ok"
	refused "global -x" "unknown option '-x'" "$BPFLP" -x list
	refused "global --bogus" "unknown option '--bogus'" "$BPFLP" --bogus list
	refused "global --json=1" "--json" "$BPFLP" --json=1 list
	refused "apply, no object" "apply needs a patch object" "$BPFLP" apply
	refused "apply --stack, no object" "apply needs a patch object" "$BPFLP" apply --stack
	refused "apply two objects" "apply takes one patch object, got" "$BPFLP" apply "$ok" "$ok"
	refused "check, no object" "check (needs|takes one) (a )?patch object" "$BPFLP" check
	refused "check two objects" "check takes one patch object" "$BPFLP" check "$ok" "$ok"
	refused "disable, no name" "disable needs a patch" "$BPFLP" disable
	refused "disable two names" "disable takes one patch" "$BPFLP" disable example other
	refused "show, no name" "show (needs|takes one) (a )?patch" "$BPFLP" show
	refused "show two names" "show takes one patch" "$BPFLP" show example other
	refused "unknown command" "unknown command 'frobnicate'" "$BPFLP" frobnicate
	refused "uppercase command" "unknown command 'APPLY'" "$BPFLP" APPLY "$ok"
	refused "empty command" "command '' is ambiguous" "$BPFLP" ''
}

# run_name_cases: disable and show of patches that are not there, and names
# that try to leave the store: these read (and disable locks) the state.
run_name_cases() {
	refused "list extra argument" "list takes no arguments, got 'extra'" "$BPFLP" list extra
	refused "recover extra argument" "recover takes no arguments, got 'extra'" "$BPFLP" recover extra
	refused "disable missing patch" "no active patch 'no-such-patch'" "$BPFLP" disable no-such-patch
	refused "disable a/../b" "no active patch 'a/\\.\\./b'" "$BPFLP" disable 'a/../b'
	refused "disable ../../.." "no active patch '\\.\\./\\.\\./\\.\\.'" "$BPFLP" disable ../../..
	refused "disable bad version" "bad patch spec 'example@x'" "$BPFLP" disable example@x
	refused "disable other version" "no active patch 'example@99'" "$BPFLP" disable example@99
	refused "disable empty name" "no active patch ''" "$BPFLP" disable ''
	refused "show missing patch" "no patch 'no-such-patch'" "$BPFLP" show no-such-patch
	refused "show a/../b" "no patch 'a/\\.\\./b'" "$BPFLP" show 'a/../b'
	refused "show other version" "no patch 'example@99'" "$BPFLP" show example@99
	refused "show ../../.." "no patch '\\.\\./\\.\\./\\.\\.'" "$BPFLP" show ../../..
}

# run_json_cases DIR [all]: refusals in -j and -p mode are one {"error": ...}
# on stdout. Without "all", only those that get as far as the state.
run_json_cases() {
	local w=$1
	refused_json "-j apply verifier" "verifier rejected program" "$BPFLP" -j apply "$BADOBJ/verifier-null.bpf.o"
	refused_json "-j apply pre_patch" "pre_patch callback of prepatch-fail returned -19" \
		"$BPFLP" -j apply "$BADOBJ/prepatch-fail.bpf.o"
	refused_json "-j disable missing" "no active patch 'no-such-patch'" "$BPFLP" -j disable no-such-patch
	refused_json "-j show missing" "no patch 'no-such-patch'" "$BPFLP" -j show no-such-patch
	[[ ${2:-} == all ]] || return 0
	refused_json "-j apply missing" "cannot open patch object" "$BPFLP" -j apply "$w/missing.bpf.o"
	refused_json "-j apply garbage" "is not an ELF file" "$BPFLP" -j apply "$w/garbage.bpf.o"
	refused_json "-j apply bad name" "bad patch name 'a/b'" "$BPFLP" -j apply "$BADOBJ/name-slash.bpf.o"
	refused_json "-p check duplicate" "two fmod_ret programs" "$BPFLP" -p check "$BADOBJ/dup-target.bpf.o"
	refused_json "-j apply --bogus" "unknown option '--bogus' for apply" "$BPFLP" -j apply --bogus x.o
	refused_json "-j unknown command" "unknown command 'frobnicate'" "$BPFLP" -j frobnicate
}
