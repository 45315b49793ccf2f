/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFLP_FAULT_H
#define BPFLP_FAULT_H

#include <stdbool.h>

/*
 * A named step of a transaction, for tests: BPFLP_FAULT=STEP kills bpflp
 * there (SIGKILL), BPFLP_PAUSE=STEP stops it there (SIGSTOP) until SIGCONT,
 * so a test can hold one bpflp at a chosen point while another runs
 * (the first time it gets there).
 * BPFLP_TIMING=1 prints "bpflp: phase STEP SECONDS" on stderr at every
 * step, SECONDS the wall clock (CLOCK_REALTIME, to the microsecond), for
 * the phase split of selftests/tests/bench/scale.sh.
 */
void fault_point(const char *step);

/*
 * BPFLP_LEGACY_SLOT=1, for tests: an apply takes slot 63, as a bpflp from
 * before the side bit could (loader/engine/word_bits.h), so that a test
 * can make the state an upgrade from one starts from. Such a bpflp loads
 * only objects of an older ABI, whose gates compare the whole word: a
 * patch active under the slot-63 one, built with this header, stands for
 * one only while the gate's "alone" test cannot tell them apart (another
 * patch active too).
 */
bool fault_legacy_slot(void);

#endif /* BPFLP_FAULT_H */
