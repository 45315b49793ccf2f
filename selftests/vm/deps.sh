#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install everything bpflp needs to build and to run its tests in the 6.1 VM.
# Run as root (`make deps`). Idempotent: a second run checks and returns fast.
#
# build/kernel/ gets the guest kernel: vmlinuz, lib/modules/<ver>/ (with
# modules.dep), config, System.map, and abi (e.g. 6.1.0-56). The ABI is picked
# from `apt-cache depends linux-image-amd64` when the kernel is first fetched,
# so headers and image always match; later runs keep the recorded ABI.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kdir=$root/build/kernel

pkgs=(clang llvm libbpf-dev bpftool gcc make libelf-dev zlib1g-dev pkg-config
      qemu-system-x86 busybox-static cpio kmod libcmocka-dev jq python3-jsonschema)

die() { echo "deps: error: $*" >&2; exit 1; }
say() { echo "deps: $*"; }

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
	apt-get update -qq || die "apt-get update failed"
	apt_updated=1
}

apt_install() {
	local need
	mapfile -t need < <(missing_pkgs "$@")
	((${#need[@]} == 0)) && return 0
	[[ $(id -u) == 0 ]] || die "need root to install: ${need[*]} (run: sudo make deps)"
	apt_update
	say "installing: ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" ||
		die "apt-get install failed for: ${need[*]}"
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

fetch_kernel() {
	local abi=$1 ver=$1-amd64 tmp deb
	[[ $(id -u) == 0 ]] || die "need root to fetch the guest kernel (run: sudo make deps)"
	tmp=$(mktemp -d "$root/build/.kernel.XXXXXX")
	chmod 755 "$tmp"	# apt-get download drops privileges to _apt
	trap 'rm -rf "$tmp"' EXIT
	say "downloading linux-image-$ver-unsigned"
	(cd "$tmp" && apt-get download -qq "linux-image-$ver-unsigned") || {
		apt_update
		(cd "$tmp" && apt-get download -qq "linux-image-$ver-unsigned")
	} || die "apt-get download linux-image-$ver-unsigned failed"
	deb=$(ls "$tmp"/linux-image-*.deb)
	say "unpacking $(basename "$deb")"
	mkdir "$tmp/x" "$tmp/kernel"
	dpkg-deb -x "$deb" "$tmp/x"
	cp "$tmp/x/boot/vmlinuz-$ver" "$tmp/kernel/vmlinuz"
	cp "$tmp/x/boot/config-$ver" "$tmp/kernel/config"
	cp "$tmp/x/boot/System.map-$ver" "$tmp/kernel/System.map"
	mkdir -p "$tmp/kernel/lib/modules"
	mv "$tmp/x/lib/modules/$ver" "$tmp/kernel/lib/modules/"
	depmod -b "$tmp/kernel" "$ver"
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
