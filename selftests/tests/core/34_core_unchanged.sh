#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What a cumulative replace would change, program by program: apply pins
# each program's fingerprint beside the record, and check compares a new
# object with what runs, without changing anything. The builds of patch
# "fp" (fp.bpf.c says what each variant changes) against fp@1 applied:
# exactly the programs a variant touches are changed, a program with a map
# of its own never counts as unchanged, a program moved in its file by one
# added first is still the same, and what a replace drops is listed,
# stacked patches' functions included, and a newer stacked patch on a
# function is what its program is compared with. Without a record
# (deleted by hand, or a patch from an older bpflp), or with one that
# disagrees with its patch's meta, everything counts as changed.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

fp() { patch_obj "fp-$1"; }
# changes VARIANT: "function:change" per program, sorted ("security_" left out).
changes() {
	bpflp_ok -j check "$(fp "$1")" |
		jq -r '[.functions[] | "\(.function | ltrimstr("security_")):\(.change)"] | sort | join(" ")'
}
# summary VARIANT: "NEW CHANGED UNCHANGED DROPPED,..." of a replace by it.
summary() {
	bpflp_ok -j check "$(fp "$1")" |
		jq -r '.replace | "\(.new) \(.changed) \(.unchanged) \([.dropped[] | "\(.function):\(.running)"] | join(","))"'
}
# record NAME@VERSION: "MAGIC NR" of its fingerprints record (fingerprints.h: a
# map without BTF, so bpftool prints the bytes: magic, format, nr, little-endian).
record() {
	bpftool -j map dump pinned "$STORE/patches/$1/fingerprints" |
		jq -r '.[0].value | [.[0:4][] | ltrimstr("0x")] as $m | [.[8:12][] | ltrimstr("0x")] as $n |
			"\($m | map(explode | map(if . > 96 then . - 87 else . - 48 end) | .[0] * 16 + .[1]) | implode) \($n | reverse | join(""))"'
}

# ---- nothing active: every program is new --------------------------------
assert_eq "$(changes base)" \
	"file_ioctl:new inode_getattr:new inode_getxattr:new inode_readlink:new inode_setattr:new" \
	"check with nothing active"
assert_eq "$(summary base)" "5 0 0 " "summary with nothing active"
assert_eq "$(active_patches)" "" "check applied nothing"

# ---- fp@1 applied: its fingerprints are pinned beside its record ----------
bpflp_ok apply "$(fp base)" > /dev/null
assert_eq "$(record fp@1)" "FGRP 00000005" "fp@1's fingerprints record holds its 5 programs"
before=$(kernel_state)

assert_eq "$(changes ver)" \
	"file_ioctl:unchanged inode_getattr:unchanged inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"version only: the program with a map of its own is the one changed"
assert_eq "$(bpflp_ok -j check "$(fp ver)" |
	jq -r '.functions[] | select(.function == "security_inode_setattr") | .change_reason')" \
	"it keeps state of its own (writable data or a private map), which a kept program would not hand over" \
	"why the private program counts as changed"
assert_eq "$(changes body)" \
	"file_ioctl:unchanged inode_getattr:changed inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"one body changed"
assert_eq "$(changes const)" \
	"file_ioctl:changed inode_getattr:unchanged inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"a read-only constant changed"
assert_eq "$(changes sub)" \
	"file_ioctl:unchanged inode_getattr:unchanged inode_getxattr:unchanged inode_readlink:changed inode_setattr:changed" \
	"a subprogram changed"
assert_eq "$(changes core)" \
	"file_ioctl:unchanged inode_getattr:unchanged inode_getxattr:changed inode_readlink:unchanged inode_setattr:changed" \
	"a CO-RE record changed"
assert_eq "$(changes add)" \
	"file_ioctl:unchanged inode_getattr:unchanged inode_getxattr:unchanged inode_listxattr:new inode_readlink:unchanged inode_setattr:changed" \
	"a program added first in the file"
assert_eq "$(summary drop)" "0 0 4 security_inode_setattr:fp@1" "a program dropped"
assert_eq "$(bpflp_ok -j check "$(fp body)" | jq -r '[.functions[].running] | unique | join(" ")')" \
	"fp@1" "what runs today is fp@1's"
out=$("$BPFLP" check "$(fp body)")
assert_match "$out" "changed \(fp@1 runs there\): its code" "check says what changed, in words"
assert_match "$out" "against the active patches: 0 new, 2 changed, 3 unchanged, 0 dropped" \
	"check's summary line"
assert_eq "$(kernel_state)" "$before" "check changed nothing in the kernel"

# ---- a stacked patch elsewhere: a cumulative replace drops it too ---------
assert_eq "$(bpflp_ok -j apply "$(patch_obj t-a@1)" --stack | jq -c .programs)" \
	'{"new":1,"changed":0,"unchanged":0,"dropped":0,"kept":0}' "a stacked apply drops nothing"
assert_eq "$(summary ver)" "0 1 4 security_file_open:t-a@1" "a stacked patch's function is dropped"
bpflp_ok disable t-a > /dev/null

# ---- after a replace, the comparison is with the new patch ----------------
assert_eq "$(bpflp_ok -j apply "$(fp body)" | jq -c .programs)" \
	'{"new":0,"changed":2,"unchanged":3,"dropped":0,"kept":0}' "apply -j counts what check said"
assert_eq "$(active_patches)" "fp@2" "fp@2 replaced fp@1"
assert_eq "$(bpflp_ok -j apply "$(fp body)" | jq -c .programs)" null "an apply that changes nothing counts nothing"
assert_eq "$(patch_pins fp@1)" meta "only the replaced record's meta is left"
assert_eq "$(changes body)" \
	"file_ioctl:unchanged inode_getattr:unchanged inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"the running build, checked again"
assert_eq "$(changes base)" \
	"file_ioctl:unchanged inode_getattr:changed inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"a downgrade changes back the one body"

# ---- a newer stacked patch on one of fp's functions is what runs there -----
# running VARIANT: "function:patch" per program, sorted.
running() {
	bpflp_ok -j check "$(fp "$1")" |
		jq -r '[.functions[] | "\(.function | ltrimstr("security_")):\(.running)"] | sort | join(" ")'
}
bpflp_ok apply "$(patch_obj over-fp@1)" --stack > /dev/null
assert_eq "$(running body)" \
	"file_ioctl:fp@2 inode_getattr:over-fp@1 inode_getxattr:fp@2 inode_readlink:fp@2 inode_setattr:fp@2" \
	"the newest patch on a function is what runs there"
assert_eq "$(changes body)" \
	"file_ioctl:unchanged inode_getattr:changed inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"fp@2's own build is compared with over-fp@1's program there"
assert_eq "$(summary body)" "0 2 3 " "over-fp@1's only function is carried: nothing dropped"
bpflp_ok disable over-fp > /dev/null
assert_eq "$(changes body)" \
	"file_ioctl:unchanged inode_getattr:unchanged inode_getxattr:unchanged inode_readlink:unchanged inode_setattr:changed" \
	"with over-fp gone, fp@2's program runs there again"

# ---- a record that disagrees with its meta: nothing is taken from it ------
fps_pin=$STORE/patches/fp@2/fingerprints
# shellcheck disable=SC2046 # one argument per byte
bpftool map update pinned "$fps_pin" key 0 0 0 0 value \
	$(bpftool -j map dump pinned "$fps_pin" | jq -r '.[0].value | .[8] = "0x04" | join(" ")')
assert_eq "$(record fp@2)" "FGRP 00000004" "the record says 4 programs, the meta 5"
assert_eq "$(changes body)" \
	"file_ioctl:changed inode_getattr:changed inode_getxattr:changed inode_readlink:changed inode_setattr:changed" \
	"a record of another length counts for nothing"
assert_eq "$(bpflp_ok -j check "$(fp body)" | jq -r '.functions[0].change_reason')" \
	"the running patch's fingerprints cannot be read" "and says why"

# ---- the record deleted by hand: nothing can be known unchanged -----------
rm "$STORE/patches/fp@2/fingerprints"
assert_eq "$(changes body)" \
	"file_ioctl:changed inode_getattr:changed inode_getxattr:changed inode_readlink:changed inode_setattr:changed" \
	"without a record every program counts as changed"
assert_match "$(bpflp_ok -j check "$(fp body)" | jq -r '.functions[0].change_reason')" \
	"no fingerprints" "and says why"

bpflp_ok disable fp > /dev/null
assert_eq "$(summary base)" "5 0 0 " "after disable every program is new again"
