#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A patch installed with 'bpflp install' is applied again after a reboot.
# Two VM boots share a persistent state directory (BPFLP_VM_PERSIST, under
# build/vm-share):
#   boot 1: bpflp install t-a@1; nothing is applied by installing;
#   boot 2: the VM's init has run bpflp.service's ExecStart ('bpflp boot';
#           the VM has no systemd, see selftests/vm/init) before the job:
#           its log says it applied t-a@1, 'bpflp list' shows it active, and
#           open() of the patch's target fails with EPERM while the control
#           file opens; then the patch is disabled and uninstalled. Boot 2
#           enforces module signatures (module.sig_enforce=1, as Secure Boot
#           does): probe says the companion route is unavailable, naming the
#           fix (the DKMS package, the MOK key), and a companion patch is
#           refused, with the module unsigned and with it signed by a key
#           the kernel does not hold; nothing is loaded or applied.
# Prints cmocka-like counts, which selftests/vm/check.sh adds up.
#   reboot-test.sh            run both boots (host)
#   reboot-test.sh --guest N  boot N's checks (in the VM)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/selftests/counts.bash"

# sig_enforced BPFLP: boot 2's checks of the companion module under module.sig_enforce=1.
sig_enforced() {
	local bpflp=$1 obj=$root/build/selftests/tests/companion/c@1.bpf.o dir=/tmp/bpflp-sig signer
	local ko=$root/build/kmod/$(uname -r)/bpflp_companion.ko
	local enrol="enrol the key (mokutil --import /var/lib/dkms/mok.pub, reboot, confirm in MokManager)"
	local unsigned="$ko is unsigned and this kernel loads signed modules only (module.sig_enforce): install the bpflp-companion-dkms package, which builds the module and signs it with this machine's MOK key, and $enrol"

	expect "boot 2: module.sig_enforce is on" "$(cat /sys/module/module/parameters/sig_enforce)" Y
	expect "boot 2: probe says why the companion route is unavailable" \
		"$("$bpflp" -j probe shmem_statfs | jq -r '.[0] | "\(.route)|\(.reason)"')" \
		"observe_only|companion module unusable: $unsigned"
	expect "boot 2: apply of a companion patch with the unsigned module" \
		"$("$bpflp" apply "$obj" 2>&1; echo "exit $?")" \
		"bpflp: error: $obj: cannot replace shmem_statfs: companion module unusable: $unsigned
exit 1"
	mkdir -p "$dir"
	signer=$(ls "$root"/build/kernel-*/headers/usr/lib/linux-kbuild-*/scripts/sign-file | head -n1)
	openssl req -new -nodes -utf8 -sha256 -days 2 -batch -x509 -subj "/CN=bpflp untrusted test key/" \
		-outform PEM -out "$dir/cert.pem" -keyout "$dir/key.pem" 2> /dev/null
	cp "$ko" "$dir/signed.ko"
	"$signer" sha256 "$dir/key.pem" "$dir/cert.pem" "$dir/signed.ko"
	expect "boot 2: the copy is signed" "$(modinfo -F signer "$dir/signed.ko")" "bpflp untrusted test key"
	expect "boot 2: apply with the module signed by a key the kernel lacks" \
		"$(BPFLP_KMOD=$dir/signed.ko "$bpflp" apply "$obj" 2>&1; echo "exit $?")" \
		"bpflp: error: the kernel refused $dir/signed.ko: its signature is by a key it does not trust (module.sig_enforce or lockdown); $enrol, or sign it with a key it trusts
exit 1"
	expect "boot 2: the refusals loaded no module" "$(test -e /sys/module/bpflp_companion && echo loaded)" ""
	expect "boot 2: the refusals applied nothing" \
		"$("$bpflp" -j list | jq -r '[.patches[] | select(.state == "active")] | length')" 0
}

guest() {
	local bpflp=${BPFLP_BIN:-$root/build/bpflp} probe=$root/build/selftests/helpers/syscall_probe
	local obj=$root/build/selftests/tests/core/t-a@1.bpf.o target=/tmp/bpflp-t-a-file control=/tmp/other-a-file
	# /tmp is new each boot. In boot 2 the patch is already applied: the
	# create succeeds but its open is denied (EPERM), which is expected.
	{ : > "$target"; } 2> /dev/null
	: > "$control"
	case $1 in
	1)
		rm -rf /sys/fs/bpf/bpflp
		expect "boot 1: bpflp install" "$("$bpflp" install "$obj" 2>&1)" \
			"installed t-a@1 in $BPFLP_STATE_DIR/patches"
		expect "boot 1: install applies nothing" "$("$probe" open "$target")" ok
		;;
	2)
		expect "boot 2: bpflp.service ran 'bpflp boot' and it applied t-a@1" \
			"$(tail -n 2 "$BPFLP_STATE_DIR/boot.log" 2>&1 | tr '\n' ' ')" \
			"applied t-a@1 (replace, 1 function) exit 0 "
		expect "boot 2: bpflp list shows t-a@1 active" \
			"$("$bpflp" -j list | jq -r '[.patches[] | select(.state == "active") | "\(.name)@\(.version)"] | join(" ")')" \
			"t-a@1"
		expect "boot 2: bpflp status is consistent" "$("$bpflp" status > /dev/null 2>&1; echo $?)" 0
		expect "boot 2: the patched open() fails on the target" "$("$probe" open "$target")" EPERM
		expect "boot 2: the control file opens" "$("$probe" open "$control")" ok
		expect "boot 2: bpflp disable" "$("$bpflp" disable t-a 2>&1)" "disabled t-a@1"
		expect "boot 2: bpflp uninstall" "$("$bpflp" uninstall t-a 2>&1)" \
			"uninstalled t-a@1 (still applied until 'bpflp disable t-a' or a reboot)"
		expect "boot 2: open() after disable" "$("$probe" open "$target")" ok
		sig_enforced "$bpflp"
		rm -rf /sys/fs/bpf/bpflp
		;;
	esac
	counts_exit
}

if [[ ${1:-} == --guest ]]; then
	guest "$2"
	exit
fi

persist=$root/build/vm-share/persist.$$
rm -rf "$persist"
trap 'rm -rf "$persist"' EXIT
for boot in 1 2; do
	echo "[ RUN      ] boot $boot"
	cmdline=
	((boot == 2)) && cmdline=module.sig_enforce=1
	out=$(BPFLP_VM_PERSIST=$persist BPFLP_VM_CMDLINE=$cmdline "$root/selftests/vm/run-in-vm.sh" -t 600 \
	      ${BPFLP_BIN:+env BPFLP_BIN="$BPFLP_BIN"} "$root/selftests/vm/reboot-test.sh" --guest "$boot" 2>&1)
	rc=$?
	out=$(tr -d '\r' <<< "$out")
	printf '%s\n' "$out" | grep -v '^\[  \(PASSED\|FAILED\)  \] [0-9]* test'
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<< "$out" | tail -n1)
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0}))
	if ((rc != 0)) && [[ -z $f || $f == 0 ]]; then
		not_ok "boot $boot" "the VM run failed (exit $rc); console: build/vm-share/last/console.log"
	fi
done
counts_exit
