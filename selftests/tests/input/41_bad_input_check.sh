#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad patch objects: bpflp check, the preflight, refuses every one apply
# refuses (callbacks aside), with the same error, and changes nothing.
. "$(dirname "$0")/badobj/setup.bash"
badobj_run live check
