#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Bad command lines (options, arguments, verbs, names) with a patch active,
# in plain and JSON mode: one clear error, nothing changed.
. "$(dirname "$0")/badobj/setup.bash"
badobj_run live args names json-all
