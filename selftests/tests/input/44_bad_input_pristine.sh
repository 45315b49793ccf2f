#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bad-object corpus on a machine bpflp never touched: a refused command
# must not even create /sys/fs/bpf/bpflp.
. "$(dirname "$0")/badobj/setup.bash"
badobj_run pristine apply names json
