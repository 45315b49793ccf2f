#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# One host of the rollout test (selftests/vm/rollout-test.sh), in the VM:
# its network up on qemu's user network (10.0.2.15, the host's forwarded
# port reaching its port 22), an SSH server (dropbear, the host's binary)
# letting root in with the test's key, until STOPFILE appears.
#   rollout-guest.sh STOPFILE AUTHORIZED_KEY
set -euo pipefail

stop=$1 key=$2
modprobe virtio_net
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
mkdir -p -m 700 /root/.ssh
install -m 600 "$key" /root/.ssh/authorized_keys
dropbearkey -t ed25519 -f /tmp/ssh_host_key > /dev/null 2>&1
# -E: log to stderr (this job's output); -s: keys only.
dropbear -r /tmp/ssh_host_key -p 22 -E -s
echo "rollout-guest: sshd up"
while [[ ! -e $stop ]]; do sleep 1; done
