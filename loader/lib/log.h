/* SPDX-License-Identifier: GPL-2.0 */
/* One logging facility for bpflp and for libbpf's own messages. */
#ifndef BPFLP_LOG_H
#define BPFLP_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG
};

/* Messages above this level are dropped; -v raises it to LOG_DEBUG. */
extern enum log_level log_max_level;

/* fmt without the "bpflp: " prefix: log_msg adds it. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_setup_libbpf(void);

#define pr_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* BPFLP_LOG_H */
