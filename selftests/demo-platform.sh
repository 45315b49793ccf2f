#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Demo of what the kernel under bpflp can do, run inside the test VM by
# `make demo` (until selftests/demo.sh exists): an fentry observer, an
# fmod_ret replacement and a companion livepatch module, each with its effect.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/selftests/helpers
step() { printf '\n== %s\n' "$*"; }

echo "bpflp platform demo on Linux $(uname -r)"
echo "NOTE: patch management (bpflp apply/list/...) is not built in this demo;"
echo "      it shows the kernel mechanisms bpflp builds on."

step "fentry on do_unlinkat: count this process's unlink() calls (5 made)"
$bin/fentry_count 5

step "fmod_ret on security_file_open: deny /etc/hostname to one process with EPERM (1)"
$bin/fmodret_deny /etc/hostname 1
echo "(self is denied; another process and the same process after detach are not)"

step "two fmod_ret programs on one function: a (EPERM) attached before b (EACCES)"
$bin/fmodret_order /etc/hostname a
echo "(the newest attached program runs first and wins)"

step "livepatch module replacing cmdline_proc_show()"
echo "before: $(cat /proc/cmdline)"
insmod "build/kmod/$(uname -r)/bpflp_test_klp.ko"
while [[ $(cat /sys/kernel/livepatch/bpflp_test_klp/transition) != 0 ]]; do sleep 0.1; done
echo "patched: $(cat /proc/cmdline)"
echo 0 > /sys/kernel/livepatch/bpflp_test_klp/enabled
while [[ -d /sys/kernel/livepatch/bpflp_test_klp ]]; do sleep 0.1; done
rmmod bpflp_test_klp
echo "after disable + rmmod: $(cat /proc/cmdline)"
