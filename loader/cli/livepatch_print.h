/* SPDX-License-Identifier: GPL-2.0 */
/* The livepatch module of a patch, and the modules kept loaded, in list and show (plain, JSON). */
#ifndef BPFLP_LIVEPATCH_PRINT_H
#define BPFLP_LIVEPATCH_PRINT_H

/* "livepatch_module": {...} or null, for the patch recorded in dir. */
void livepatch_print_json(const char *dir);
/* An indented line about the patch's module; nothing when it has none. */
void livepatch_print_plain(const char *dir);
/* "livepatch_kept": [...]: modules kept loaded because their transition was forced. */
void livepatch_kept_print_json(void);
void livepatch_kept_print_plain(void);

#endif /* BPFLP_LIVEPATCH_PRINT_H */
