#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package (make deb; make check builds it first) installs with
# dpkg -i and holds a bpflp that works:
#  1. unpacked with 'dpkg-deb -x' into a tmpfs directory, its bpflp reports
#     the package's version, applies, lists and disables a core test patch
#     with the expected effect on the patched syscall, and its boot verb
#     applies what its install verb installed; the unit it ships runs that
#     binary's boot;
#  2. 'dpkg -i' for real, maintainer scripts and all, in a chroot: the VM's
#     / is the host's root, read-only over 9p, so an overlay (tmpfs upper)
#     on it gives dpkg a writable copy of the host's system and database.
#     dpkg records the package installed, its postinst enables
#     bpflp.service, the installed /usr/sbin/bpflp applies a patch in the
#     VM's kernel (same bpffs), and 'dpkg --purge' takes it all away again.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../patch_lib.bash"
core_setup

debs=("$BPFLP_BUILD"/deb/bpflp_*_amd64.deb)
[[ -f ${debs[0]} ]] || fail "no $BPFLP_BUILD/deb/bpflp_*_amd64.deb: run 'make deb' (make check does)"
((${#debs[@]} == 1)) || fail "several packages in $BPFLP_BUILD/deb: ${debs[*]}; run 'make deb' again"
deb=${debs[0]}

assert_eq "$(dpkg-deb -f "$deb" Package Architecture | tr '\n' ' ')" \
	"Package: bpflp Architecture: amd64 " "control: package and architecture"
version=$(dpkg-deb -f "$deb" Version)

pkgroot=$TDIR/pkgroot
mkdir "$pkgroot"
assert_ok dpkg-deb -x "$deb" "$pkgroot"
BPFLP=$pkgroot/usr/sbin/bpflp
[[ -x $BPFLP ]] || fail "the package has no executable /usr/sbin/bpflp"
assert_eq "$("$BPFLP" version | head -n1)" "bpflp $version" "packaged bpflp version matches the package's"
assert_eq "$(grep '^ExecStart=' "$pkgroot/lib/systemd/system/bpflp.service")" \
	"ExecStart=/usr/sbin/bpflp boot" "the unit runs the packaged bpflp"
for f in usr/include/bpflp/patch.bpf.h usr/include/bpflp/vmlinux/vmlinux.h \
	 usr/share/man/man8/bpflp.8.gz usr/share/bash-completion/completions/bpflp; do
	[[ -s $pkgroot/$f ]] || fail "the package has no /$f"
done
echo "  ok: headers, vmlinux.h, man page and completion are in the package"

# The packaged binary at work (../patch_lib.bash's helpers run $BPFLP).
assert_behaviour "ok ok ok" "before any patch"
assert_eq "$(bpflp_ok apply "$(patch_obj t-a@1)")" "applied t-a@1 (replace, 1 function)" \
	"packaged bpflp: apply"
assert_behaviour "EPERM ok ok" "with t-a@1 applied by the packaged bpflp"
assert_eq "$(active_patches)" "t-a@1" "packaged bpflp: list shows t-a@1 active"
assert_eq "$(bpflp_ok disable t-a)" "disabled t-a@1" "packaged bpflp: disable"
assert_behaviour "ok ok ok" "after disable"

# install + boot, as bpflp.service runs it, in a state directory of its own.
export BPFLP_STATE_DIR=$TDIR/state
assert_match "$(bpflp_ok install "$(patch_obj t-b@1)")" "^installed t-b@1 in $TDIR/state/patches$" \
	"packaged bpflp: install"
assert_behaviour "ok ok ok" "install applies nothing"
assert_eq "$(bpflp_ok boot)" "applied t-b@1 (replace, 1 function)" "packaged bpflp: boot"
assert_behaviour "ok EPERM ok" "with t-b@1 applied by boot"
assert_eq "$(bpflp_ok boot)" "t-b@1 is already active: nothing to do" "boot again is a no-op"
assert_eq "$(bpflp_ok uninstall t-b)" \
	"uninstalled t-b@1 (still applied until 'bpflp disable t-b' or a reboot)" "packaged bpflp: uninstall"
assert_eq "$(active_patches)" "t-b@1" "uninstall leaves the active patch"
bpflp_ok disable t-b > /dev/null
assert_behaviour "ok ok ok" "after disable t-b"

echo "# 2. dpkg -i, in a chroot on an overlay of the read-only root"
if ! grep -q overlay /proc/filesystems; then
	# modprobe: the guest's /lib/modules is its kernel's (build/kernel-SERIES),
	# and it reads 6.12's overlay.ko.xz as well as 6.1's overlay.ko.
	modprobe overlay || fail "cannot load overlayfs from the guest kernel's modules"
fi
chroot_dir=$TDIR/root
mkdir -p "$TDIR/upper" "$TDIR/work" "$chroot_dir"
assert_ok mount -t overlay overlay -o "lowerdir=/,upperdir=$TDIR/upper,workdir=$TDIR/work" "$chroot_dir"
on_exit "umount -R '$chroot_dir' 2>/dev/null || true"
for m in proc sys dev; do
	mount --rbind "/$m" "$chroot_dir/$m" && mount --make-rslave "$chroot_dir/$m" ||
		fail "cannot bind /$m into the chroot"
done
mount -t tmpfs tmpfs "$chroot_dir/run" && mount -t tmpfs tmpfs "$chroot_dir/tmp" ||
	fail "cannot mount tmpfs on the chroot's /run and /tmp"
in_root() { chroot "$chroot_dir" "$@"; }
# The package and a patch, copied in: the project may live under /tmp,
# which the chroot's own tmpfs hides.
inside=/var/tmp/bpflp-deb-test
mkdir -p "$chroot_dir$inside"
cp "$deb" "$(patch_obj t-a@1)" "$chroot_dir$inside/" || fail "cannot copy the package into the chroot"

[[ ! -e $chroot_dir/usr/sbin/bpflp ]] || fail "the host already has /usr/sbin/bpflp: dpkg -i would not be what installs it"
out=$(in_root dpkg -i "$inside/$(basename "$deb")" 2>&1) || fail "dpkg -i $deb: $out"
echo "  ok: dpkg -i $(basename "$deb")"
assert_eq "$(in_root dpkg-query -W -f '${Status} ${Version}' bpflp)" "install ok installed $version" \
	"dpkg's database: bpflp installed"
assert_eq "$(readlink "$chroot_dir/etc/systemd/system/multi-user.target.wants/bpflp.service")" \
	"/lib/systemd/system/bpflp.service" "postinst enabled bpflp.service"
assert_eq "$(in_root /usr/sbin/bpflp version | head -n1)" "bpflp $version" "the installed bpflp's version"
assert_eq "$(in_root /usr/sbin/bpflp apply "$inside/t-a@1.bpf.o")" "applied t-a@1 (replace, 1 function)" \
	"the installed bpflp applies a patch"
assert_behaviour "EPERM ok ok" "with t-a@1 applied by the dpkg-installed bpflp"
assert_eq "$(active_patches)" "t-a@1" "the build's bpflp sees what the installed one applied"
assert_eq "$(in_root /usr/sbin/bpflp disable t-a)" "disabled t-a@1" "the installed bpflp disables it"
assert_behaviour "ok ok ok" "after the installed bpflp's disable"
out=$(in_root dpkg --purge bpflp 2>&1) || fail "dpkg --purge bpflp: $out"
[[ ! -e $chroot_dir/usr/sbin/bpflp && ! -e $chroot_dir/etc/systemd/system/multi-user.target.wants/bpflp.service ]] ||
	fail "dpkg --purge left /usr/sbin/bpflp or the unit's enablement behind"
assert_eq "$(in_root dpkg-query -W -f '${Status}' bpflp 2>/dev/null)" "" "dpkg's database after purge"
echo "  ok: dpkg --purge removed the binary and the enablement"
