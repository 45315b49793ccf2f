#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Debian package (make deb; make check builds it first) holds a bpflp
# that works: unpacked into a tmpfs directory, its bpflp reports the
# package's version, applies, lists and disables a core test patch with the
# expected effect on the patched syscall, and its boot verb applies what its
# install verb installed; the unit it ships runs that binary's boot.
#
# How it is installed, honestly: with 'dpkg-deb -x' into $TDIR, not
# 'dpkg -i --root=' or '--instdir='. The VM's / is the host's root,
# read-only over 9p; dpkg -i into another root needs a dpkg database there
# and runs the maintainer scripts chrooted into it (postinst calls
# deb-systemd-helper and systemctl, which need a whole system in that root),
# or, with --force-script-chrootless, runs them against the read-only real
# root. So this checks the package's contents and binary, not its
# maintainer scripts; 'dpkg-deb --info' checks its control data.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/core_lib.bash"
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

# The packaged binary at work (core_lib.bash's helpers run $BPFLP).
assert_behaviour "ok ok ok" "before any patch"
assert_eq "$(bpflp_ok apply "$(patch_obj t_a1)")" "applied t-a@1 (replace, 1 function)" \
	"packaged bpflp: apply"
assert_behaviour "EPERM ok ok" "with t-a@1 applied by the packaged bpflp"
assert_eq "$(active_patches)" "t-a@1" "packaged bpflp: list shows t-a@1 active"
assert_eq "$(bpflp_ok disable t-a)" "disabled t-a@1" "packaged bpflp: disable"
assert_behaviour "ok ok ok" "after disable"

# install + boot, as bpflp.service runs it, in a state directory of its own.
export BPFLP_STATE_DIR=$TDIR/state
assert_match "$(bpflp_ok install "$(patch_obj t_b1)")" "^installed t-b@1 in $TDIR/state/patches$" \
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
