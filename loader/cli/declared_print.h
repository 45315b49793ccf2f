/* SPDX-License-Identifier: GPL-2.0 */
/* list and show: a patch's system states and shadows (declared.h), plain and JSON. */
#ifndef BPFLP_DECLARED_PRINT_H
#define BPFLP_DECLARED_PRINT_H

/* "states": [...] and "shadows": [...] fields of the patch in dir (empty arrays for none). */
void declared_print_json(const char *dir);
/* "  states: ..." and "  shadows: ..." lines, none when the patch declares nothing. */
void declared_print_plain(const char *dir);

/* "kept_shadows": [...]: shadows disable --keep-shadow kept, which no patch declares now. */
void kept_shadows_print_json(void);
void kept_shadows_print_plain(void);

#endif /* BPFLP_DECLARED_PRINT_H */
