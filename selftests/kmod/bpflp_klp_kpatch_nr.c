// SPDX-License-Identifier: GPL-2.0
/* bpflp_klp_kpatch as kpatch-build --non-replace builds it: .replace = false, in code. */
#define KLP_REPLACE_ENABLE false
#include "bpflp_klp_kpatch.c"
