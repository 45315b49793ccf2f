#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install everything bpflp needs to build and to run its tests in the 6.1 VM.
# Run as root (`make deps`). Idempotent: a second run checks and returns fast.
#
# build/kernel/ gets the guest kernel: vmlinuz, lib/modules/<ver>/ (with
# modules.dep), config, System.map, and abi (e.g. 6.1.0-56). The ABI is picked
# from `apt-cache depends linux-image-amd64` when the kernel is first fetched,
# so headers and image always match; later runs keep the recorded ABI.
#
# Quiet: one line per step; what apt-get and dpkg print goes to
# build/deps.log, which every error points to (and shows the end of).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kdir=$root/build/kernel
log=$root/build/deps.log

# libkmod-dev: the companion module is checked and loaded with libkmod;
# pandoc: man pages; bash-completion: the install test; debhelper, fakeroot,
# dpkg-dev: make deb; yamllint: the Ansible example in docs; dwarves (pahole),
# xz-utils: the scale benchmark's module BTF, from the guest's vmlinuz;
# gnuplot-nox: its plot; clang-format: selftests/host/test_format.sh.
pkgs=(clang llvm libbpf-dev bpftool gcc make libelf-dev zlib1g-dev libkmod-dev pkg-config
      qemu-system-x86 busybox-static cpio kmod libcmocka-dev jq python3-jsonschema
      pandoc bash-completion debhelper fakeroot dpkg-dev yamllint dwarves xz-utils gnuplot-nox
      clang-format)

die() {
	echo "deps: error: $*" >&2
	if [[ -s $log ]]; then
		echo "deps: last lines of build/deps.log:" >&2
		tail -n 15 "$log" | sed 's/^/  | /' >&2
	fi
	exit 1
}
say() { echo "deps: $*"; }
# Run a command with its output in the log.
logged() { echo "+ $*" >> "$log"; "$@" >> "$log" 2>&1 < /dev/null; }

missing_pkgs() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			echo "$p"
	done
}

apt_updated=0
apt_update() {
	[[ $apt_updated == 1 ]] && return
	say "apt-get update"
	logged apt-get update || die "apt-get update failed (see build/deps.log)"
	apt_updated=1
}

apt_install() {
	local need
	mapfile -t need < <(missing_pkgs "$@")
	((${#need[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "need root to install: ${need[*]} (run: sudo make deps)"
	apt_update
	say "installing ${#need[@]} package(s): ${need[*]}"
	logged env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" ||
		die "apt-get install failed for: ${need[*]} (see build/deps.log)"
}

current_abi() {
	local abi
	abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
	      sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
	if [[ -z $abi ]]; then
		apt_update
		abi=$(apt-cache depends linux-image-amd64 2>/dev/null |
		      sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
	fi
	[[ -n $abi ]] || die "cannot tell the current kernel ABI from 'apt-cache depends linux-image-amd64'"
	echo "$abi"
}

# download DIR PACKAGE: apt-get download into DIR, with progress: a line
# updated in place on a terminal, every quarter in a log (CI).
download() {
	local dir=$1 pkg=$2 size got pct last=-1 pid rc
	size=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Size: //p' | head -n1)
	if [[ -n $size ]]; then
		say "downloading $pkg ($(numfmt --to=iec-i --suffix=B "$size"))"
	else
		say "downloading $pkg"
	fi
	(cd "$dir" && logged apt-get download "$pkg") &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		[[ -n $size ]] || continue
		got=$(du -sb "$dir" 2>/dev/null | cut -f1)
		pct=$(( ${got:-0} * 100 / size ))
		((pct > 100)) && pct=100
		if [[ -t 1 ]]; then
			printf '\rdeps:   %3d%%' "$pct"
		elif ((pct / 25 > last)); then
			last=$((pct / 25))
			((last > 0 && last < 4)) && say "  $((last * 25))%"
		fi
	done
	rc=0
	wait "$pid" || rc=$?
	[[ -t 1 && -n $size ]] && printf '\n'
	return "$rc"
}

fetch_kernel() {
	local abi=$1 ver=$1-amd64 tmp deb
	[[ $(id -u) == 0 ]] || die "need root to fetch the guest kernel (run: sudo make deps)"
	tmp=$(mktemp -d "$root/build/.kernel.XXXXXX")
	chmod 755 "$tmp"	# apt-get download drops privileges to _apt
	trap 'rm -rf "$tmp"' EXIT
	download "$tmp" "linux-image-$ver-unsigned" || {
		apt_update
		download "$tmp" "linux-image-$ver-unsigned"
	} || die "apt-get download linux-image-$ver-unsigned failed (see build/deps.log)"
	deb=$(ls "$tmp"/linux-image-*.deb)
	say "unpacking $(basename "$deb")"
	mkdir "$tmp/x" "$tmp/kernel"
	dpkg-deb -x "$deb" "$tmp/x"
	cp "$tmp/x/boot/vmlinuz-$ver" "$tmp/kernel/vmlinuz"
	cp "$tmp/x/boot/config-$ver" "$tmp/kernel/config"
	cp "$tmp/x/boot/System.map-$ver" "$tmp/kernel/System.map"
	mkdir -p "$tmp/kernel/lib/modules"
	mv "$tmp/x/lib/modules/$ver" "$tmp/kernel/lib/modules/"
	logged depmod -b "$tmp/kernel" "$ver" || die "depmod failed (see build/deps.log)"
	echo "$abi" > "$tmp/kernel/abi"
	rm -rf "$kdir"
	mv "$tmp/kernel" "$kdir"
	rm -rf "$tmp"
	trap - EXIT
	say "guest kernel $ver ready in build/kernel"
}

main() {
	local abi
	mkdir -p "$root/build"
	: > "$log"
	apt_install "${pkgs[@]}"

	if [[ -s $kdir/abi && -f $kdir/vmlinuz && -f $kdir/lib/modules/$(cat "$kdir/abi")-amd64/modules.dep ]]; then
		abi=$(cat "$kdir/abi")
	else
		abi=$(current_abi)
		# headers first: the image download must not outlive a missing kbuild package
		apt_install "linux-headers-$abi-amd64"
		fetch_kernel "$abi"
	fi
	apt_install "linux-headers-$abi-amd64"
	[[ -d /usr/src/linux-headers-$abi-amd64 ]] ||
		die "/usr/src/linux-headers-$abi-amd64 missing after install"
}

main "$@"
