// SPDX-License-Identifier: GPL-2.0
/* Version 2 of the example fix (bpflp_klp_version.h). */
#define BPFLP_KLP_FIX 2
#include "bpflp_klp_version.h"
