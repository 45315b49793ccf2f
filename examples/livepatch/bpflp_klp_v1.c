// SPDX-License-Identifier: GPL-2.0
/* Version 1 of the example fix (bpflp_klp_version.h). */
#define BPFLP_KLP_FIX 1
#include "bpflp_klp_version.h"
