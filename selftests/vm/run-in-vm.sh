#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run a command as root inside the test VM (qemu, TCG), which sees the
# host's / read-only at the same paths, and return its exit code. The VM
# boots build/kernel-$BPFLP_KERNEL (a series fetched by `make deps`: 6.1, the
# default, or 6.12).
#
#   run-in-vm.sh [-t SECONDS] [-i] [--] CMD [ARGS...]
#
#   -t SECONDS  power off and exit 124 after this long (default 600; 0 = none)
#   -i          interactive: the terminal is the job's stdin (make vm-shell)
#
# The job runs in the project root with stdout+stderr streamed here. Writable
# in the guest: build/vm-share/ (shared with the host, same path), and tmpfs
# on /tmp, /run, /var/tmp, /root. Everything else is the host's / read-only.
# After each run build/vm-share/last/ (or $BPFLP_VM_LAST/, for VMs run side
# by side) holds dmesg (guest dmesg at the end),
# console.log (the full kernel console, also on a crash) and rc.
# Exit codes: the job's, 124 on timeout, 125 if the VM died without one.
#
# bpflp's state directory is /var/tmp/bpflp (tmpfs) in the guest, unless
# BPFLP_VM_PERSIST=DIR (under build/vm-share, created if missing): bpflp's
# state directory that outlives the VM, for reboot tests: the job gets
# BPFLP_STATE_DIR=DIR, and the VM's init runs bpflp.service's ExecStart at
# boot when DIR holds an installed patch (see selftests/vm/init).
# BPFLP_VM_CMDLINE: more kernel parameters (module.sig_enforce=1, say).
# BPFLP_VM_SSH_PORT=PORT: a virtio NIC on qemu's user network, the guest's
# port 22 forwarded from the host's 127.0.0.1:PORT (the rollout test).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
series=${BPFLP_KERNEL:-6.1}
kdir=$root/build/kernel-$series
vmdir=$root/build/vm
share=$root/build/vm-share
timeout=600
interactive=0

usage() { sed -n 's/^#   \{0,1\}//p' "${BASH_SOURCE[0]}" | sed -n '3,8p' >&2; exit 2; }
while getopts ":t:ih" opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	i) interactive=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
(($# > 0)) || usage
[[ $timeout =~ ^[0-9]+$ ]] || { echo "run-in-vm: error: -t wants whole seconds" >&2; exit 2; }
[[ $root != *[[:space:]]* ]] || { echo "run-in-vm: error: project path has spaces: $root" >&2; exit 2; }
[[ -f $kdir/vmlinuz && -s $kdir/abi ]] ||
	{ echo "run-in-vm: error: no guest kernel in build/kernel-$series; run 'make deps' (as root)" >&2; exit 2; }

mkdir -p "$vmdir" "$share/.runs"

persist=${BPFLP_VM_PERSIST:-}
if [[ -n $persist ]]; then
	mkdir -p "$persist"
	persist=$(cd "$persist" && pwd)
	[[ $persist == "$share"/* && $persist != *[[:space:]]* ]] ||
		{ echo "run-in-vm: error: BPFLP_VM_PERSIST must be a directory under $share without spaces" >&2; exit 2; }
fi

# initramfs: rebuilt only when one of its inputs changes. Under a lock: VMs
# booted side by side (make check) on a fresh clone would otherwise all build
# it at once into the same file.
initrd=$vmdir/initramfs-$series.cpio
key=$( { cat "$root/selftests/vm/init" "$root/selftests/vm/mkinitramfs.sh" "$kdir/abi";
	 stat -L -c '%s %Y' /bin/busybox; } | sha256sum | cut -d' ' -f1)
exec {initrd_lock}> "$vmdir/initramfs.lock"
flock "$initrd_lock"
if [[ ! -f $initrd || $(cat "$initrd.key" 2>/dev/null) != "$key" ]]; then
	"$root/selftests/vm/mkinitramfs.sh" "$kdir" "$initrd"
	echo "$key" > "$initrd.key"
fi
exec {initrd_lock}>&-

# Run directories of runs whose script is gone (killed hard) are stale.
for d in "$share"/.runs/*.*; do
	[[ -d $d ]] && ! kill -0 "${d##*.}" 2>/dev/null && rm -rf "$d"
done
id=$(date +%s).$$
run=$share/.runs/$id
mkdir -p "$run"
cleanup() {
	if [[ -n ${qpid:-} ]]; then kill "$qpid" 2>/dev/null || true; fi
	rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

{
	echo "cd $(printf '%q' "$root") || exit 126"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	echo "export HOME=/root TERM=$(printf '%q' "${TERM:-dumb}") BPFLP_VM=1"
	echo "export BPFLP_VM_TCG_THREAD=single"
	echo "export BPFLP_VM_SHARE=$(printf '%q' "$share") BPFLP_VM_RUN=$(printf '%q' "$run")"
	[[ -n ${V:-} ]] && echo "export V=$(printf '%q' "$V")"
	# The guest's /var is the host's, read-only: bpflp's state directory
	# (the transaction history, installed patches) lives on tmpfs instead.
	if [[ -n $persist ]]; then
		echo "export BPFLP_STATE_DIR=$(printf '%q' "$persist")"
	else
		echo "export BPFLP_STATE_DIR=/var/tmp/bpflp"
	fi
	printf 'exec'; printf ' %q' "$@"; echo
} > "$run/job"

# Single-threaded TCG: multi-threaded TCG wedges both vCPUs when one runs a
# function while the other live-patches its ftrace site (text_poke_bp), even
# with no BPF involved (seen with a plain ftrace tracer).
# randomize_kstack_offset=off: a task then calls a function at the same
# stack address every time, so trampoline frame addresses repeat, the worst
# case for per-call state a BPF program keeps (29_core_long_lived.sh).
qemu=(qemu-system-x86_64 -accel tcg,thread=single -cpu max -m 2G -smp 2 -nographic -no-reboot
	-nodefaults -monitor none
	-bios /usr/share/qemu/qboot.rom
	-kernel "$kdir/vmlinuz" -initrd "$initrd"
	-append "console=ttyS0 loglevel=7 panic=-1 oops=panic randomize_kstack_offset=off bpflp.root=$root bpflp.run=$id${persist:+ bpflp.persist=$persist}${BPFLP_VM_CMDLINE:+ $BPFLP_VM_CMDLINE}"
	-serial "file:$run/console.log"
	-chardev "stdio,id=job,signal=$( ((interactive)) && echo off || echo on)"
	-serial chardev:job
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$root,mount_tag=project,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$share,mount_tag=vmshare,security_model=none,multidevs=remap")
if [[ -n ${BPFLP_VM_SSH_PORT:-} ]]; then
	qemu+=(-nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$BPFLP_VM_SSH_PORT-:22")
fi

if ((interactive)); then
	touch "$run/interactive"
	stty size 2>/dev/null | awk '{ print "rows", $1, "cols", $2 }' > "$run/winsize" || true
	set +e
	"${qemu[@]}"
	qrc=$?
	set -e
else
	"${qemu[@]}" < /dev/null &
	qpid=$!
	timed_out=0
	if ((timeout > 0)); then
		SECONDS=0
		while kill -0 "$qpid" 2>/dev/null; do
			if ((SECONDS >= timeout)); then
				timed_out=1
				kill "$qpid" 2>/dev/null
				sleep 3
				kill -9 "$qpid" 2>/dev/null || true
				break
			fi
			sleep 0.2
		done
	fi
	set +e
	wait "$qpid"
	qrc=$?
	set -e
	qpid=
fi

last=$share/${BPFLP_VM_LAST:-last}
rm -rf "$last"
mkdir -p "$last"
cp -f "$run"/console.log "$run"/dmesg "$run"/rc "$last/" 2>/dev/null || true

if ((${timed_out:-0})); then
	echo "run-in-vm: error: timed out after ${timeout}s; VM killed (console: ${last#"$root"/}/console.log)" >&2
	exit 124
fi
if [[ ! -s $run/rc ]]; then
	echo "run-in-vm: error: VM stopped without an exit code (qemu status $qrc);" \
	     "see ${last#"$root"/}/console.log" >&2
	exit 125
fi
exit "$(cat "$run/rc")"
