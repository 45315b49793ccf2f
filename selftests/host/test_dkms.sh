#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bpflp-companion-dkms package (make deb) installed for real, with the
# bpflp package it depends on, as Debian's dkms takes it: 'dpkg -i' in a
# chroot whose / is an overlay (tmpfs upper) on the host's, in a private
# mount namespace, so nothing of the host changes. The chroot has the
# headers of both test kernels at /lib/modules/RELEASE/build, as
# linux-headers packages would put them.
#  - the package holds the module's sources and a dkms.conf;
#  - its postinst has DKMS build the module for both kernels, install it
#    in /lib/modules/RELEASE/updates/dkms/ and sign it with the MOK key
#    DKMS makes (/var/lib/dkms/mok.key, mok.pub), which is what bpflp's
#    Secure Boot message asks the operator to enrol;
#  - each module is built for its kernel, carries bpflp's version, and
#    its signature verifies against mok.pub;
#  - 'dpkg --purge' takes the modules away again.
# The module loading under module.sig_enforce is tested in the VM
# (selftests/vm/reboot-test.sh, boot 2).
# Prints cmocka's summary lines, which selftests/vm/check.sh counts.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
. "$root/selftests/counts.bash"

# The chroot's side: install, print what DKMS made (one line per fact), purge.
in_chroot() {
	local deb=$1 version=$2 r ko
	shift 2
	# bpflp, which it depends on, from the same build.
	dpkg -i "${deb%/*}/bpflp_${version}_amd64.deb" "$deb" > /tmp/dpkg.log 2>&1 ||
		{ echo "dpkg -i failed: $(tail -n 5 /tmp/dpkg.log)"; return; }
	echo "status $(dpkg-query -W -f '${Status}' bpflp-companion-dkms)"
	echo "mok $( [[ -s /var/lib/dkms/mok.key && -s /var/lib/dkms/mok.pub ]] && echo made)"
	for r in "$@"; do
		ko=/lib/modules/$r/updates/dkms/bpflp_companion.ko
		if [[ ! -f $ko ]]; then
			echo "$r: no $ko: $(grep -i -m 3 error "/var/lib/dkms/bpflp-companion/$version/build/make.log" 2>/dev/null)"
			continue
		fi
		echo "$r: vermagic $(modinfo -F vermagic "$ko" | cut -d' ' -f1) version $(modinfo -F version "$ko") signature $(verify_signature "$ko" /var/lib/dkms/mok.pub)"
	done
	dpkg --purge bpflp-companion-dkms bpflp > /tmp/dpkg.log 2>&1 ||
		echo "dpkg --purge failed: $(tail -n 5 /tmp/dpkg.log)"
	for r in "$@"; do
		[[ -e /lib/modules/$r/updates/dkms/bpflp_companion.ko ]] && echo "$r: module left after purge"
	done
	echo purged
}

# verify_signature KO CERT: "verified" when KO's appended PKCS#7 signature
# (the signature, a 12-byte struct module_signature whose last 4 bytes are
# its length, big-endian, then the magic string) is by CERT's key.
verify_signature() {
	local ko=$1 cert=$2 magic="~Module signature appended~" size siglen tail=40
	# struct module_signature (12 bytes) and the magic with its newline (28).
	size=$(stat -c %s "$ko")
	[[ $(tail -c 28 "$ko") == "$magic" ]] || { echo unsigned; return; }
	siglen=$(tail -c 32 "$ko" | head -c 4 | od -An -tu1 |
		 awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
	head -c $((size - tail - siglen)) "$ko" > /tmp/unsigned.ko
	tail -c $((tail + siglen)) "$ko" | head -c "$siglen" > /tmp/sig.p7
	if openssl cms -verify -binary -inform DER -in /tmp/sig.p7 -content /tmp/unsigned.ko \
		-certfile "$cert" -nointern -noverify -out /dev/null 2> /dev/null; then
		echo verified
	else
		echo "does not verify against $cert"
	fi
}

# The namespace's side: an overlay on / (tmpfs upper), each kernel's headers
# at /lib/modules/RELEASE/build, a fresh dkms tree; then the chroot's side.
in_namespace() {
	local tmp=$1 deb=$2 version=$3 r series
	shift 3
	mount -t tmpfs tmpfs "$tmp" && mkdir "$tmp/upper" "$tmp/work" "$tmp/root" &&
		mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work" "$tmp/root" ||
		{ echo "cannot mount an overlay on /"; return; }
	for d in proc sys dev; do mount --rbind "/$d" "$tmp/root/$d"; done
	mount -t tmpfs tmpfs "$tmp/root/tmp"
	rm -rf "$tmp/root/var/lib/dkms" && mkdir -p "$tmp/root/var/lib/dkms"
	for series in 6.1 6.12; do
		r=$(cat "build/kernel-$series/abi")-amd64
		rm -rf "$tmp/root/lib/modules/$r" && mkdir -p "$tmp/root/lib/modules/$r"
		ln -s "$(cat "build/kernel-$series/kdir")" "$tmp/root/lib/modules/$r/build"
	done
	chroot "$tmp/root" "$root/selftests/host/test_dkms.sh" --in-chroot "$deb" "$version" "$@"
}

case ${1:-} in
--in-chroot) shift; in_chroot "$@"; exit 0 ;;
--in-namespace) shift; in_namespace "$@"; exit 0 ;;
esac

echo "[==========] DKMS package tests"
debs=(build/deb/bpflp-companion-dkms_*_all.deb)
if [[ ! -f ${debs[0]} || ${#debs[@]} != 1 ]]; then
	not_ok "the DKMS package" "not one build/deb/bpflp-companion-dkms_*_all.deb: run 'make deb'"
	counts_exit
fi
deb=$root/${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
src=usr/src/bpflp-companion-$version
listed=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed -n "s|^\./$src/||p" | grep -v -e '/$' -e '^$' | sort | tr '\n' ' ')
expect "the package holds the sources and dkms.conf" "$listed" \
	"Kbuild companion.h companion_dev.c companion_hook.c companion_ident.h dkms.conf include/bpflp/companion.h "
if ((EUID != 0)) || ! command -v dkms > /dev/null; then
	not_ok "dpkg -i in a chroot" "needs root and dkms (make deps installs it)"
	counts_exit
fi

releases=()
for series in 6.1 6.12; do
	releases+=("$(cat "build/kernel-$series/abi")-amd64")
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(unshare -m "$0" --in-namespace "$tmp" "$deb" "$version" "${releases[@]}" 2>&1)
expect "dpkg -i: installed" "$(sed -n 's/^status //p' <<< "$out")" "install ok installed"
expect "DKMS made the MOK key bpflp's Secure Boot message names" "$(sed -n 's/^mok //p' <<< "$out")" made
for r in "${releases[@]}"; do
	expect "$r: DKMS built, installed and signed the module" "$(grep "^$r: " <<< "$out" | head -n 1)" \
		"$r: vermagic $r version $version signature verified"
done
expect "dpkg --purge took the modules away" "$(grep -E 'purge|left' <<< "$out")" purged
counts_exit
