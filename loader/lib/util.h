/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers every part of the loader may use. */
#ifndef BPFLP_UTIL_H
#define BPFLP_UTIL_H

#include <stddef.h>
#include <linux/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_REALTIME in ns: what records and history store (a wall time, comparable across boots). */
__u64 realtime_ns(void);

/* Sleep ms milliseconds (a retry's pause; a signal may end it early). */
void sleep_ms(unsigned int ms);

/*
 * snprintf that refuses to truncate, as libxdp's try_snprintf: 0, or
 * -ENAMETOOLONG when the result does not fit (buf then holds a truncated,
 * terminated string that must not be used as a path).
 */
int try_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Write size bytes to path, mode 0644 less the umask, through a temporary
 * file of its own beside it (path.XXXXXX), fsync and rename: all or
 * nothing, and two writers of one path never truncate each other's. A
 * writer killed before the rename leaves its temporary file behind. 0 or a
 * negative errno.
 */
int write_file_atomic(const char *path, const void *data, size_t size);

#endif /* BPFLP_UTIL_H */
