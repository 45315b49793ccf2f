#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection on the companion route (as 30_fault_injection.sh does for
# fmod_ret): gapc@1 and gapc@2 deny open() of the target from vfs_open,
# which only the companion module can replace. bpflp dies at every step of
# replace, first apply, downgrade and disable, including the module's own
# (module-load, attach-companion, module-unload), then `bpflp recover` runs:
# exactly the set before or after is in effect, the bpffs tree is the clean
# run's, nothing leaked, and the module is loaded exactly while an active
# patch needs it. Then random SIGKILLs, with the same checks.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/../reliability/lib.bash"
rel_setup

V1=$(patch_obj gapc@1)
V2=$(patch_obj gapc@2)
APPLY_STEPS="begin staging module-load attach-companion staged commit committed post-callback detach-old end module-unload"
DISABLE_STEPS="begin commit committed post-callback detach-old end module-unload"
PRE_COMMIT_STEPS=" begin staging module-load attach-companion staged commit "
AFTER_END_STEPS=" module-unload "
RANDOM_KILLS=${RANDOM_KILLS:-8}

setup_empty() { rel_reset; }
setup_v1() {
	rel_reset
	"$BPFLP" apply "$V1" > /dev/null || fail "setup: bpflp apply gapc@1 failed"
}
setup_v1_v2() {
	setup_v1
	"$BPFLP" apply "$V2" > /dev/null || fail "setup: bpflp apply gapc@2 failed"
}

MARK=$(kernel_log_mark)
SECONDS=0
scenario replace setup_v1 "gapc@1" "gapc@2" \
	"begin staging module-load attach-companion staged commit committed post-callback detach-old end" \
	apply "$V2"
CLEAN_MS_REPLACE=$CLEAN_MS
scenario first-apply setup_empty "" "gapc@1" \
	"begin staging module-load attach-companion staged commit committed post-callback end" \
	apply "$V1"
scenario downgrade setup_v1_v2 "gapc@2" "gapc@1" \
	"begin staging module-load attach-companion staged commit committed post-callback detach-old end" \
	apply "$V1"
scenario disable setup_v1 "gapc@1" "" "$DISABLE_STEPS" disable gapc

random_kills "$CLEAN_MS_REPLACE" gapc@1 "$V1" gapc@2 "$V2"

assert_kernel_log_clean "$MARK"
echo "faults injected: $faults, random kills: $kills, leaks: $REL_LEAKS, invariant violations: $REL_VIOLATIONS"
echo "(steps a path does not reach, run to completion: $not_reached; state checks retried: $REL_RETRIES)"
((REL_LEAKS == 0 && REL_VIOLATIONS == 0)) || fail "leaks or invariant violations (see above)"
((faults == expected_faults)) ||
	fail "faults injected: $faults, want $expected_faults (every step of every scenario)"
