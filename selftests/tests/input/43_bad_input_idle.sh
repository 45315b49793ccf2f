#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The bad-object corpus with nothing active: example applied and disabled
# again, so records and shared maps exist but no gate is open.
. "$(dirname "$0")/badobj/setup.bash"
badobj_run idle apply names json idle
