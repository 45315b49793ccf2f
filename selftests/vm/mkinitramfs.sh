#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the test VM's initramfs: static busybox, selftests/vm/init as /init,
# and the guest kernel's virtio + 9p modules in load order.
# Usage: mkinitramfs.sh KERNEL_DIR OUTPUT.cpio
set -euo pipefail

kdir=$1 out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
abi=$(cat "$kdir/abi")
ver=$abi-amd64
busybox=/bin/busybox	# from busybox-static: no shared libraries to copy

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" ${part:+"$part"}' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,modules,newroot}
cp "$busybox" "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"
chmod 755 "$tmp/init"

# Load order from modprobe's own dependency resolution, deduplicated.
for m in virtio_pci 9pnet_virtio 9p; do
	modprobe -d "$kdir" -S "$ver" --show-depends "$m"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' > "$tmp/paths"
: > "$tmp/modules/order"
while read -r path; do
	# busybox insmod takes plain ELF: 6.12's modules are .ko.xz.
	case $path in
	*.ko.xz) name=$(basename "$path" .ko.xz); xz -dc "$path" > "$tmp/modules/$name.ko" ;;
	*) name=$(basename "$path" .ko); cp "$path" "$tmp/modules/$name.ko" ;;
	esac
	echo "$name" >> "$tmp/modules/order"
done < "$tmp/paths"
[[ -s $tmp/modules/order ]] || { echo "mkinitramfs: no modules found in $kdir" >&2; exit 1; }

# Uncompressed: TCG is slow at decompressing, and the image is small.
# Written beside OUTPUT under a name of its own, then renamed: a VM booting
# meanwhile reads either the old image or the new one, whole.
part=$(mktemp "$out.XXXXXX")
(cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) > "$part"
chmod 644 "$part"
mv "$part" "$out"
