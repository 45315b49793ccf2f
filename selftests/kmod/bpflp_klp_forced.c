// SPDX-License-Identifier: GPL-2.0
/*
 * bpflp_klp_forced: bpflp_klp_stall under another name, for the test that
 * forces its transition (69_livepatch_forced.sh). The kernel never lets the
 * module of a forced patch go, so it must not be one other tests load.
 */
#include "bpflp_klp_stall.c"
