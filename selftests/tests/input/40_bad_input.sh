#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad patch objects, with a patch active: bpflp apply (and apply --stack)
# refuses each with one clear error and changes nothing. The corpus and the
# checks are in selftests/tests/input/badobj/; 41_ to 44_ run the rest of it.
. "$(dirname "$0")/badobj/setup.bash"
badobj_run live apply stack live
