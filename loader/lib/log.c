// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <bpf/libbpf.h>
#include "log.h"

enum log_level log_max_level = LOG_WARN;

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	if (level > log_max_level)
		return;
	vfprintf(stderr, fmt, ap);
}

/* bpflp's own messages get the prefix here, once; libbpf's carry their own ("libbpf: "). */
void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_max_level)
		return;
	fputs("bpflp: ", stderr);
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

/* libbpf's warnings are mostly verifier logs: only useful with -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (log_max_level < LOG_DEBUG)
		return 0;
	log_vmsg(level == LIBBPF_WARN ? LOG_WARN : LOG_DEBUG, fmt, ap);
	return 0;
}

void log_setup_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
