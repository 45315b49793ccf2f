// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_forced_old: the example fix v1 under another name, for the test
 * that forces a replacing transition over it (69_livepatch_forced.sh): the
 * kernel then never lets this module go, so no other test may load it.
 */
#define BPFLP_KLP_FIX 1
#include "bpflp_klp_version.h"
