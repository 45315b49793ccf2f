#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The fleet rollout (examples/ansible/bpflp-rollout.yml) run for real, with
# Debian's ansible-core, against two VMs booted side by side: vm1 in group
# canary, vm2 the rest of the fleet, each reached over SSH (dropbear in the
# guest, selftests/vm/rollout-guest.sh) on a loopback port qemu forwards.
# The operator's health probe: unlink of a protected file is denied, which
# is what t-v@1 fixes.
#  0. t-v@2, which lacks that fix, on hosts running no patch: the canary
#     fails its probe and the patch is taken away again (disable,
#     uninstall); vm2 is untouched;
#  1. t-v@1 rolls out: the canary first, then vm2; both run it, the probe
#     passes on both;
#  2. the same run again changes nothing (changed=0 on both hosts);
#  3. t-v@2, which drops the unlink fix, fails the canary's probe: the
#     canary is rolled back to t-v@1 (a downgrade), the run stops with one
#     message saying so, and vm2 is untouched: still t-v@1, no t-v@2 copied.
# The VMs boot BPFLP_KERNEL (default 6.1). The hosts have no apt repository
# with bpflp and no systemd: the play runs the build's bpflp
# (bpflp_command) with bpflp_install_package and bpflp_enable_service off.
# Prints cmocka-like counts, which selftests/vm/check.sh adds up.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 2
. "$root/selftests/counts.bash"
for tool in ansible-playbook ssh dropbear python3; do
	command -v "$tool" > /dev/null || { not_ok "the rollout" "no $tool: run 'make deps'"; counts_exit; }
done

mkdir -p build/vm-share && tmp=$(mktemp -d "$root/build/vm-share/rollout.XXXXXX") || exit 2
stop=$tmp/stop
vms=()
# The guests power off once STOPFILE appears; a guest that never got that
# far is killed after a minute.
cleanup() {
	touch "$stop"
	SECONDS=0
	while ((SECONDS < 60)) && jobs -rp | grep -q .; do sleep 1; done
	for pid in "${vms[@]}"; do pkill -P "$pid" 2> /dev/null; kill "$pid" 2> /dev/null; done
	wait
	rm -rf "$tmp"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$tmp/key" -C bpflp-rollout-test
# Two free loopback ports: bound and closed again, then qemu forwards them.
read -r port1 port2 < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
for k in 1 2; do
	port=port$k
	BPFLP_VM_LAST=rollout-vm$k BPFLP_VM_SSH_PORT=${!port} selftests/vm/run-in-vm.sh -t 1800 \
		selftests/vm/rollout-guest.sh "$stop" "$tmp/key.pub" > "$tmp/vm$k.log" 2>&1 &
	vms+=($!)
done

ssh_opts=(-i "$tmp/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	  -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=30)
# on_vm PORT CMD: CMD as root in that VM, with bpflp's state directory of the play.
on_vm() { ssh "${ssh_opts[@]}" -p "$1" root@127.0.0.1 "BPFLP_STATE_DIR=/var/tmp/bpflp $2"; }
for k in 1 2; do
	port=port$k
	SECONDS=0
	until on_vm "${!port}" true 2> /dev/null; do
		if ((SECONDS > 600)) || ! kill -0 "${vms[k - 1]}" 2> /dev/null; then
			not_ok "vm$k: SSH" "no SSH on port ${!port}: $(tail -n 5 "$tmp/vm$k.log")"
			counts_exit
		fi
		sleep 2
	done
done
ok "both VMs answer over SSH"

cat > "$tmp/inventory" << EOF
[canary]
vm1 ansible_port=$port1

[fleet]
vm2 ansible_port=$port2

[all:vars]
ansible_host=127.0.0.1
ansible_user=root
ansible_become=false
ansible_ssh_private_key_file=$tmp/key
ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'
ansible_python_interpreter=/usr/bin/python3
EOF
# Pipelining and piped transfers: dropbear has no SFTP server.
cat > "$tmp/ansible.cfg" << EOF
[defaults]
host_key_checking = False
retry_files_enabled = False
nocolor = True
local_tmp = $tmp/ansible
timeout = 120

[ssh_connection]
pipelining = True
transfer_method = piped
EOF
export ANSIBLE_CONFIG=$tmp/ansible.cfg
probe=$root/build/selftests/helpers/syscall_probe
health="test \"\$($probe unlink /tmp/bpflp-t-b-health)\" = EPERM"

# rollout NAME VERSION: the playbook, its output in $tmp/run.NAME-VERSION.N.
runs=0
rollout() {
	runs=$((runs + 1))
	out=$tmp/run.$runs
	ansible-playbook -i "$tmp/inventory" examples/ansible/bpflp-rollout.yml \
		-e "bpflp_object=$root/build/selftests/tests/core/t-v@$1.bpf.o" -e "bpflp_patch=t-v@$1" \
		-e "bpflp_command=$root/build/bpflp" -e bpflp_state_dir=/var/tmp/bpflp \
		-e bpflp_install_package=false -e bpflp_enable_service=false \
		-e "$(jq -cn --arg cmd "$health" '{bpflp_health_cmd: $cmd}')" > "$out" 2>&1
}
# recap HOST: "changed=N failed=N rescued=N" from the last run's recap, or "absent".
recap() {
	local line
	line=$(grep -E "^$1 +:" "$out" | tail -n 1)
	[[ -n $line ]] || { echo absent; return; }
	sed -E 's/.*(changed=[0-9]+).*(failed=[0-9]+).*(rescued=[0-9]+).*/\1 \2 \3/' <<< "$line"
}
active() { on_vm "$1" "$root/build/bpflp -j list" | jq -r '[.patches[] | select(.state == "active") | "\(.name)@\(.version)"] | join(" ")'; }

# the_failure: the run's closing message, the probe's failure shortened to (PROBE).
the_failure() {
	grep -o 't-v@2 failed on vm1 (.*; the rollout stops here' "$out" | head -n 1 | tr -s ' ' |
		sed -E 's/\(Health, 2\/2 - the operator.s probe command: [^)]*\)/(PROBE)/'
}

echo "[ RUN      ] 0. t-v@2 fails the canary's probe, no patch before"
SECONDS=0
rollout 2
rc=$?
zeroth=$SECONDS
expect "0: ansible-playbook fails" "$((rc != 0))" 1
expect "0: the failure says what failed and what was done" "$(the_failure)" \
	"t-v@2 failed on vm1 (PROBE); removed: no patch was active before, now active: none; the rollout stops here"
expect "0: vm1 rescued and failed" "$(recap vm1 | cut -d' ' -f2-)" "failed=1 rescued=1"
expect "0: vm2 not in the run" "$(recap vm2)" absent
expect "0: vm1 runs no patch" "$(active "$port1")" ""
expect "0: vm1 has no patch installed for boot" "$(on_vm "$port1" "$root/build/bpflp boot" 2>&1)" \
	"no patch installed in /var/tmp/bpflp/patches: nothing to apply"
expect "0: vm2 untouched" "$(on_vm "$port2" 'ls /var/tmp/bpflp 2>&1')" \
	"ls: cannot access '/var/tmp/bpflp': No such file or directory"

echo "[ RUN      ] 1. t-v@1 to the canary, then the fleet"
SECONDS=0
rollout 1
rc=$?
first=$SECONDS
expect "1: ansible-playbook exit status" "$rc" 0
((rc == 0)) || sed 's/^/    | /' "$out"
expect "1: the canary's play ran first" \
	"$(sed -n 's/^PLAY \[\(.*\)\] .*/\1/p' "$out" | tr '\n' '|')" \
	"Find the canary hosts|Roll out a bpflp live patch to the canary hosts|Roll out a bpflp live patch to the other hosts|"
expect "1: vm1 changed, no failure" "$(recap vm1 | sed 's/changed=[1-9][0-9]*/changed=N/')" "changed=N failed=0 rescued=0"
expect "1: vm2 changed, no failure" "$(recap vm2 | sed 's/changed=[1-9][0-9]*/changed=N/')" "changed=N failed=0 rescued=0"
expect "1: vm1 runs t-v@1" "$(active "$port1")" t-v@1
expect "1: vm2 runs t-v@1" "$(active "$port2")" t-v@1
expect "1: vm2's probe passes: unlink denied" "$(on_vm "$port2" "$probe unlink /tmp/bpflp-t-b-x")" EPERM

echo "[ RUN      ] 2. the same rollout again"
SECONDS=0
rollout 1
rc=$?
again=$SECONDS
expect "2: ansible-playbook exit status" "$rc" 0
expect "2: vm1 unchanged" "$(recap vm1)" "changed=0 failed=0 rescued=0"
expect "2: vm2 unchanged" "$(recap vm2)" "changed=0 failed=0 rescued=0"

echo "[ RUN      ] 3. t-v@2 fails the canary's probe"
SECONDS=0
rollout 2
rc=$?
third=$SECONDS
expect "3: ansible-playbook fails" "$((rc != 0))" 1
expect "3: the failure says what failed and what was done" "$(the_failure)" \
	"t-v@2 failed on vm1 (PROBE); rolled back to t-v@1, now active: t-v@1; the rollout stops here"
expect "3: vm1 rescued and failed" "$(recap vm1 | cut -d' ' -f2-)" "failed=1 rescued=1"
expect "3: vm2 not in the run" "$(recap vm2)" absent
expect "3: vm1 runs t-v@1 again" "$(active "$port1")" t-v@1
expect "3: vm1's probe passes again" "$(on_vm "$port1" "$probe unlink /tmp/bpflp-t-b-x")" EPERM
expect "3: vm1's installed patch is t-v@1 (what boot applies)" \
	"$(on_vm "$port1" "$root/build/bpflp boot" 2>&1)" "t-v@1 is already active: nothing to do"
expect "3: vm2 still runs t-v@1" "$(active "$port2")" t-v@1
expect "3: vm2 never got t-v@2" "$(on_vm "$port2" 'ls /var/tmp/bpflp/incoming')" "rollback
t-v@1.bpf.o"
echo "rollout: run 0 ${zeroth} s, run 1 ${first} s, run 2 ${again} s, run 3 ${third} s (TCG)"
# ROLLOUT_KEEP=FILE: keep the failing run's output (docs/operators.md shows it).
[[ -n ${ROLLOUT_KEEP:-} ]] && cp "$out" "$ROLLOUT_KEEP"
counts_exit
