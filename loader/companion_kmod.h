/* SPDX-License-Identifier: GPL-2.0 */
/* Loading and unloading the companion module (TEMPORARY minimal version). */
#ifndef BPFLP_COMPANION_KMOD_H
#define BPFLP_COMPANION_KMOD_H

#include <stdbool.h>
#include <stddef.h>

int companion_module_usable(char *why, size_t size);
int companion_module_ensure_loaded(void);
int companion_module_release_if_unused(void);
bool companion_module_loaded(void);

#endif
