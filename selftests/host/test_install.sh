#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make install` into a scratch DESTDIR, on the host: the exact file list,
# the man pages, pkg-config from that tree, a patch built against the
# installed headers only (outside the source tree, no -I into it), the unit's
# ExecStart, bash completion of verbs and options from the installed binary,
# and `make uninstall` leaving no file behind. Prints cmocka's summary lines,
# which selftests/vm/check.sh counts.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
make=(make -C "$root" --no-print-directory -s)
dest=$(mktemp -d /tmp/bpflp-install.XXXXXX)
work=$(mktemp -d /tmp/bpflp-author.XXXXXX)
trap 'rm -rf "$dest" "$work"' EXIT
prefix=/usr/local
. "$root/selftests/counts.bash"

# check NAME CMD...: the command's success is the test's.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "${out:-exit $?}"; fi
}

echo "[==========] install tests"
"${make[@]}" install DESTDIR="$dest" > "$work/install.log" 2>&1 ||
	not_ok "make install" "$(cat "$work/install.log")"

expected="$prefix/include/bpflp/abi.h
$prefix/include/bpflp/companion.h
$prefix/include/bpflp/klp.h
$prefix/include/bpflp/maps.bpf.h
$prefix/include/bpflp/patch.bpf.h
$prefix/include/bpflp/shadow.bpf.h
$prefix/include/bpflp/snapshot.bpf.h
$prefix/include/bpflp/state.bpf.h
$prefix/include/bpflp/vmlinux/vmlinux.h
$prefix/lib/pkgconfig/bpflp.pc
$prefix/lib/systemd/system/bpflp.service
$prefix/sbin/bpflp
$prefix/share/bash-completion/completions/bpflp
$prefix/share/man/man7/bpflp-patch.7
$prefix/share/man/man8/bpflp.8"
# The companion module, built for each guest kernel, goes under each one's release.
for ko in "$root"/build/kmod/*/bpflp_companion.ko; do
	[[ -f $ko ]] || continue
	release=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	expected=$(printf '%s\n%s\n' "$expected" "$prefix/lib/bpflp/modules/$release/bpflp_companion.ko" | sort)
done
got=$(cd "$dest" && find . -type f | sed 's|^\.||' | sort)
if [[ $got == "$expected" ]]; then ok "file list"; else not_ok "file list" "$(diff <(echo "$expected") <(echo "$got"))"; fi

check "bpflp executable, runs" "$dest$prefix/sbin/bpflp" version
check "bpflp(8) renders with a NAME section" \
	bash -c "man -l '$dest$prefix/share/man/man8/bpflp.8' 2>&1 | grep -q '^NAME'"
check "bpflp-patch(7) renders with a NAME section" \
	bash -c "man -l '$dest$prefix/share/man/man7/bpflp-patch.7' 2>&1 | grep -q '^NAME'"

export PKG_CONFIG_PATH=$dest$prefix/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags bpflp 2>&1)
if [[ " $cflags " == *" -I$dest$prefix/include "* && $cflags == *"-I$dest$prefix/include/bpflp/vmlinux"* ]]; then
	ok "pkg-config --cflags bpflp"
else
	not_ok "pkg-config --cflags bpflp" "$cflags"
fi

# A patch as an author writes one, in a directory of its own.
cat > "$work/my-fix.bpf.c" <<'PATCH'
// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("my-fix", 1);

BPFLP_FMOD_RET(security_socket_create, int family, int type, int protocol, int kern)
{
	return family == 38 && !kern ? -1 : 0;
}
PATCH
# shellcheck disable=SC2086 # pkg-config output is a list of flags
check "a patch builds against the installed headers" \
	bash -c "cd '$work' && clang -g -O2 -target bpf -mcpu=v3 -Wall -Werror $cflags -c my-fix.bpf.c -o my-fix.bpf.o"
check "the patch has its fmod_ret program and identity" \
	bash -c "llvm-readelf -S '$work/my-fix.bpf.o' | grep -q 'fmod_ret/security_socket_create' &&
		 llvm-objdump -s -j .rodata.bpflp '$work/my-fix.bpf.o' | grep -q 'my-fix'"

unit=$dest$prefix/lib/systemd/system/bpflp.service
check "bpflp.service runs the installed bpflp boot" \
	grep -qx "ExecStart=$prefix/sbin/bpflp boot" "$unit"
check "bpflp.service is a oneshot after sys-fs-bpf.mount" \
	bash -c "grep -qx 'Type=oneshot' '$unit' && grep -q '^After=.*sys-fs-bpf.mount' '$unit'"

# Completion with the installed binary first in PATH.
complete_words() {
	PATH=$dest$prefix/sbin:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_bpflp bpflp "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$dest$prefix/share/bash-completion/completions/bpflp" "$@"
}
if [[ -f /usr/share/bash-completion/bash_completion ]]; then
	got=$(complete_words bpflp in | tr '\n' ' ')
	[[ $got == "install " ]] && ok "completion: verbs" || not_ok "completion: verbs" "'bpflp in' gave '$got'"
	got=$(complete_words bpflp apply --s | tr '\n' ' ')
	[[ $got == "--stack --sig " ]] && ok "completion: per-verb options" ||
		not_ok "completion: per-verb options" "'bpflp apply --s' gave '$got'"
	got=$(complete_words bpflp lo | tr '\n' ' ')
	[[ $got == "log " ]] && ok "completion: the log verb" || not_ok "completion: the log verb" "'bpflp lo' gave '$got'"
	got=$(complete_words bpflp show t-a --w | tr '\n' ' ')
	[[ $got == "--watch " ]] && ok "completion: show --watch" ||
		not_ok "completion: show --watch" "'bpflp show t-a --w' gave '$got'"
	got=$(complete_words bpflp log --l | tr '\n' ' ')
	[[ $got == "--last " ]] && ok "completion: log --last" || not_ok "completion: log --last" "'bpflp log --l' gave '$got'"
	got=$(complete_words bpflp --j | tr '\n' ' ')
	[[ $got == "--json " ]] && ok "completion: global options" ||
		not_ok "completion: global options" "'bpflp --j' gave '$got'"
	: > "$work/x.bpf.o"
	got=$(cd "$work" && complete_words bpflp install x | tr '\n' ' ')
	[[ $got == "x.bpf.o " ]] && ok "completion: files for install" ||
		not_ok "completion: files for install" "'bpflp install x' gave '$got'"
else
	not_ok "completion" "no /usr/share/bash-completion/bash_completion (package bash-completion)"
fi

"${make[@]}" uninstall DESTDIR="$dest" > "$work/uninstall.log" 2>&1 ||
	not_ok "make uninstall" "$(cat "$work/uninstall.log")"
left=$(cd "$dest" && find . -type f)
[[ -z $left ]] && ok "make uninstall removes every file" || not_ok "make uninstall removes every file" "$left"

counts_exit
