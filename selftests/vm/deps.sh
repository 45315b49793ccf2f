#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install everything bpflp needs to build and to run its tests in the VMs,
# on both kernels it is tested on. Run as root (`make deps`). Idempotent: a
# second run checks and returns fast.
#
# build/kernel-SERIES/ (SERIES 6.1 or 6.12) gets that guest kernel: vmlinuz,
# lib/modules/<ver>/ (with modules.dep), config, System.map, headers/ (its
# kbuild tree, unpacked), kdir (the path of that tree, for make -C) and abi
# (e.g. 6.1.0-57). The ABI is whatever Debian's meta package for the series
# depends on when the kernel is first fetched, so image and headers match;
# nothing here names an ABI.
#
# Quiet: one line per step; what apt-get and dpkg print goes to
# build/deps.log, which every error points to (and shows the end of).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
log=$root/build/deps.log

# libkmod-dev: the companion module is checked and loaded with libkmod;
# pandoc: man pages; bash-completion: the install test; debhelper, fakeroot,
# dpkg-dev: make deb; yamllint: the Ansible example in docs; dwarves (pahole),
# xz-utils: the scale benchmark's module BTF, from the guest's vmlinuz;
# gnuplot-nox: its plot; clang-format: selftests/host/test_format.sh;
# dkms, dh-dkms: the bpflp-companion-dkms package and selftests/host/test_dkms.sh;
# ansible-core, dropbear-bin (the guests' SSH server, no service on the
# host), openssh-client: selftests/vm/rollout-test.sh.
pkgs=(clang llvm libbpf-dev bpftool gcc make libelf-dev zlib1g-dev libkmod-dev libssl-dev pkg-config
      qemu-system-x86 busybox-static cpio kmod libcmocka-dev jq python3-jsonschema
      pandoc bash-completion debhelper fakeroot dpkg-dev yamllint dwarves xz-utils gnuplot-nox
      clang-format dkms dh-dkms ansible-core dropbear-bin openssh-client)

# The kernels the VMs boot: Debian 12's own, and Debian 13's 6.12 from Debian
# 12's security archive. Each meta package depends on the current ABI's image.
declare -A meta_pkg=([6.1]=linux-image-amd64 [6.12]=linux-image-6.12-amd64)

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

# current_abi META: the ABI the meta package depends on now (e.g. 6.1.0-57,
# e.g. 6.12.118+deb12).
current_abi() {
	local meta=$1 abi
	abi=$(apt-cache depends "$meta" 2>/dev/null |
	      sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
	if [[ -z $abi ]]; then
		apt_update
		abi=$(apt-cache depends "$meta" 2>/dev/null |
		      sed -n 's/^ *Depends: linux-image-\(.*\)-amd64$/\1/p' | head -n1)
	fi
	[[ -n $abi ]] || die "cannot tell the current kernel ABI from 'apt-cache depends $meta'"
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

# unpack_headers DIR ABI FINAL: the kbuild tree for ABI, unpacked (not
# installed) into DIR/headers, for use once DIR is moved to FINAL. Installing linux-headers-<abi>-amd64 would pull a signed
# image, initramfs-tools and systemd onto the host (6.12); unpacked, nothing
# on the host changes. Its -common and linux-kbuild-* packages are the ones
# the headers package depends on; the symlinks inside are relative, only the
# top Makefile's include names /usr/src, and is pointed at the copy.
unpack_headers() {
	local dir=$1 abi=$2 final=$3 pkg deb hdr
	local pkgs=("linux-headers-$abi-amd64")
	mapfile -t -O 1 pkgs < <(apt-cache depends "linux-headers-$abi-amd64" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-headers-.*-common\|linux-kbuild-.*\)$/\1/p')
	((${#pkgs[@]} == 3)) ||
		die "cannot tell linux-headers-$abi-amd64's -common and kbuild packages (apt-cache depends)"
	mkdir -p "$dir/debs" "$dir/headers"
	chmod 755 "$dir/debs"
	for pkg in "${pkgs[@]}"; do
		download "$dir/debs" "$pkg" || die "apt-get download $pkg failed (see build/deps.log)"
	done
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/headers"
	done
	rm -rf "$dir/debs"
	hdr=$dir/headers/usr/src/linux-headers-$abi-amd64
	[[ -f $hdr/Makefile ]] || die "no Makefile in the unpacked linux-headers-$abi-amd64"
	sed -i "s|^include /usr/src/|include $final/headers/usr/src/|" "$hdr/Makefile"
}

# fetch_kernel SERIES ABI: build/kernel-SERIES/ for that ABI, built aside
# and moved in whole, so an interrupted fetch leaves nothing half-made.
fetch_kernel() {
	local series=$1 abi=$2 ver=$2-amd64 tmp deb
	local final_dir=$root/build/kernel-$series
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
	rm -f "$deb"
	cp "$tmp/x/boot/vmlinuz-$ver" "$tmp/kernel/vmlinuz"
	cp "$tmp/x/boot/config-$ver" "$tmp/kernel/config"
	cp "$tmp/x/boot/System.map-$ver" "$tmp/kernel/System.map"
	mkdir -p "$tmp/kernel/lib/modules"
	mv "$tmp/x/lib/modules/$ver" "$tmp/kernel/lib/modules/"
	logged depmod -b "$tmp/kernel" "$ver" || die "depmod failed (see build/deps.log)"
	unpack_headers "$tmp/kernel" "$abi" "$final_dir"
	echo "$final_dir/headers/usr/src/linux-headers-$ver" > "$tmp/kernel/kdir"
	echo "$abi" > "$tmp/kernel/abi"
	rm -rf "$final_dir"
	mv "$tmp/kernel" "$final_dir"
	rm -rf "$tmp"
	trap - EXIT
	say "guest kernel $ver ready in build/kernel-$series"
}

# kernel_ready SERIES: build/kernel-SERIES/ is whole (its ABI, image,
# modules and headers).
kernel_ready() {
	local k=$root/build/kernel-$1
	[[ -s $k/abi && -f $k/vmlinuz && -s $k/kdir && -f $(cat "$k/kdir" 2>/dev/null)/Makefile &&
	   -f $k/lib/modules/$(cat "$k/abi" 2>/dev/null)-amd64/modules.dep ]]
}

main() {
	local series
	mkdir -p "$root/build"
	: > "$log"
	apt_install "${pkgs[@]}"
	# The guests boot on this machine's root, read-only, and their init
	# mounts the guest kernel's modules at /lib/modules/RELEASE for modprobe
	# (selftests/vm/init): it needs /lib/modules to exist here, which a
	# machine without a kernel package of its own (a container) lacks.
	mkdir -p /lib/modules
	# The ABI is picked when a kernel is first fetched and then kept, so
	# what was built against it stays valid; `rm -rf build/kernel-SERIES`
	# and `make deps` move to the ABI Debian offers now.
	for series in "${!meta_pkg[@]}"; do
		kernel_ready "$series" || fetch_kernel "$series" "$(current_abi "${meta_pkg[$series]}")"
	done
}

main "$@"
