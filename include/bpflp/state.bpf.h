/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System-state versions, as klp_state has them. A patch that changes the
 * system in a way a later patch must know about (a sysctl it set, a
 * structure it converted) declares the change with an id and a version:
 *
 *	BPFLP_STATE(1, 2);
 *
 * A cumulative patch replacing it must declare every state id of the
 * active patches, each with a version at least as high, or bpflp refuses
 * it before anything loads. Its callbacks can ask what the replaced patch
 * declared: bpflp_state_prev_present(1) and bpflp_state_prev_version(1)
 * (klp_get_prev_state), so it takes the modification over instead of
 * undoing and redoing it.
 */
#ifndef BPFLP_STATE_BPF_H
#define BPFLP_STATE_BPF_H

#include "bpflp/abi.h"

/* The loader finds the declarations by name and fills prev_* before load. */
#define BPFLP_STATE(state_id, state_version)                                                       \
	const volatile struct bpflp_state_decl bpflp_sysstate_##state_id                           \
		__attribute__((section(BPFLP_KNOB_SECTION))) = {                                   \
			.magic = BPFLP_MAGIC,                                                      \
			.id = state_id,                                                            \
			.version = state_version,                                                  \
		}

/* Did an active patch declare state_id when this patch was applied? */
#define bpflp_state_prev_present(state_id) (bpflp_sysstate_##state_id.prev_present)
/* Its version (0 when none did). */
#define bpflp_state_prev_version(state_id) (bpflp_sysstate_##state_id.prev_version)

#endif /* BPFLP_STATE_BPF_H */
