#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp's dispatch stub (bpf/dispatch.bpf.c, loaded by
# loader/kernel/dispatch_stub.c; docs/design.md, "Next"): attached once to
# security_file_open, it tail-calls the side of its program array that the
# commit word's side bit names. Between transactions it reads the live
# word; in flux it joins the call's snapshot entry, as a gate without a
# drop does, so that a function carrying the stub and gated programs reads
# one word per call. selftests/helpers/dispatch_join sets each state and
# reports what open() gives.
. "$(dirname "$0")/../../lib.sh"
require_root

bin=$(build_path selftests/helpers/dispatch_join)
target=$(mktemp /tmp/bpflp-join.XXXXXX)
on_exit "rm -f '$target'"

out=$("$bin" "$target") || exit $?
field() { sed -n "s/^$1: //p" <<< "$out"; }
assert_eq "$(field live0)" "errno=1" "side bit 0: the EPERM side"
assert_eq "$(field live1)" "errno=13" "side bit 1: the EACCES side"
assert_eq "$(field flux_live)" "errno=13" "in flux without an entry: the live word's side"
assert_eq "$(field joined)" "errno=13" "in flux, the call's entry's side, not the live word's"
assert_eq "$(field settled)" "errno=13" "between transactions, the live word's side, whatever entry"
assert_eq "$(field stale)" "errno=13" "in flux, an earlier transaction's entry is not joined"
assert_eq "$(field other_func)" "errno=1" "in flux, another function's entry is not joined"
assert_eq "$(field empty)" "ok" "an empty side runs the original"
assert_eq "$(sed -n 's/^pushes=//p' <<< "$out")" "4" "the pusher gave the four cases with an entry theirs"
grep -E '^stub_insns=' <<< "$out"
