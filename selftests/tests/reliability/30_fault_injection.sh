#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bpflp dies at every step of a transaction (BPFLP_FAULT=step: it SIGKILLs
# itself there), then `bpflp recover` runs. Afterwards exactly the patch
# set from before or the one from after the transaction is in effect
# (syscall outcomes, `bpflp list`, the commit word, traced functions), the
# bpffs tree is exactly the one a clean run leaves on that side, no journal
# remains and no BPF object leaked. Transactions: replace (gap@1 -> gap@2),
# stack (gap-sb@1 --stack over gap@1, other functions), the first apply
# ever (no state tree yet) and disable. Then bpflp apply is SIGKILLed from
# outside at random moments, with the same checks after each recover.
#
# Takes 2-6 min in the TCG VM depending on host load: run-tests.sh -t 600.
. "$(dirname "$0")/../../lib.sh"
. "$(dirname "$0")/lib.bash"
rel_setup

V1=$(patch_obj gap@1)
V2=$(patch_obj gap@2)
SB=$(patch_obj gap-sb@1)
APPLY_STEPS="begin staging attach-drop attach-prog attach-take staged commit committed post-callback detach-old end"
DISABLE_STEPS="begin commit committed post-callback detach-old end"
# Steps at or before these the commit word still holds the old set.
PRE_COMMIT_STEPS=" begin staging attach-drop attach-prog attach-take staged commit "
RANDOM_KILLS=${RANDOM_KILLS:-16}

setup_empty() { rel_reset; }
setup_v1() {
	rel_reset
	"$BPFLP" apply "$V1" > /dev/null || fail "setup: bpflp apply gap@1 failed"
}
# v2 replaced v1, so re-applying v1 (a downgrade) takes over v1's old record.
setup_v1_v2() {
	setup_v1
	"$BPFLP" apply "$V2" > /dev/null || fail "setup: bpflp apply gap@2 failed"
}

SECONDS=0
scenario replace setup_v1 "gap@1" "gap@2" "$APPLY_STEPS" apply "$V2"
CLEAN_MS_REPLACE=$CLEAN_MS
# Alone on their functions, these attach no take or drop (37_snapshot_links.sh).
scenario stack setup_v1 "gap@1" "gap-sb@1 gap@1" \
	"begin staging attach-prog staged commit committed post-callback end" \
	apply "$SB" --stack
scenario first-apply setup_empty "" "gap@1" \
	"begin staging attach-prog staged commit committed post-callback end" \
	apply "$V1"
scenario downgrade setup_v1_v2 "gap@2" "gap@1" "$APPLY_STEPS" apply "$V1"
scenario disable setup_v1 "gap@1" "" "$DISABLE_STEPS" disable gap

random_kills "$CLEAN_MS_REPLACE" gap@1 "$V1" gap@2 "$V2"

echo "faults injected: $faults, random kills: $kills, leaks: $REL_LEAKS, invariant violations: $REL_VIOLATIONS"
echo "(steps a path does not reach, run to completion: $not_reached; state checks retried: $REL_RETRIES)"
((REL_LEAKS == 0 && REL_VIOLATIONS == 0)) || fail "leaks or invariant violations (see above)"
((faults == expected_faults)) ||
	fail "faults injected: $faults, want $expected_faults (every step of every scenario)"
