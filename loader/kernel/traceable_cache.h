/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A copy of ftrace's list of traceable functions, kept between bpflp runs
 * in /run/bpflp/traceable (BPFLP_CACHE_DIR names another directory).
 *
 * Why: reading available_filter_functions restarts ftrace's walk of its
 * records from the first one at every 4 KiB read (t_start), so one read of
 * the ~40 000 lines costs the kernel O(n^2 / 4096) steps: about 300 ms of a
 * 1.5 s replace under TCG (docs/benchmarks.md). The list changes only when
 * the kernel boots or a module comes or goes, so the copy is keyed by the
 * boot id and the loaded modules (name, size, address); a copy whose key
 * differs is not used. Every failure here is silent: the caller reads the
 * kernel's list instead.
 */
#ifndef BPFLP_TRACEABLE_CACHE_H
#define BPFLP_TRACEABLE_CACHE_H

#include <stddef.h>

#define TRACEABLE_KEY_MAX 96

/* This boot's and modules' key in key; -EAGAIN while a module is loading or leaving. */
int traceable_cache_key(char *key, size_t size);

/*
 * The names of the copy made under key, sorted, in *names, pointing into
 * *buffer (the caller frees both, buffer last, once done with the names);
 * their number in *nr and the list they came from in source: 0, or -errno
 * (no copy, another key, or a damaged one).
 */
int traceable_cache_read(const char *key, char **buffer, char ***names, size_t *nr, char *source,
			 size_t source_size);

/* Keep names (sorted), read from source under key; 0 or -errno. */
int traceable_cache_write(const char *key, const char *source, char *const *names, size_t nr);

#endif
