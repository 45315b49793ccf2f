// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "fault.h"
#include "log.h"

void fault_point(const char *step)
{
	const char *kill_at = getenv("BPFLP_FAULT"), *pause_at = getenv("BPFLP_PAUSE");
	struct timespec now, wall;

	clock_gettime(CLOCK_MONOTONIC, &now);
	/* Wall clock, so a script can place the steps within the command it timed. */
	if (getenv("BPFLP_TIMING")) {
		clock_gettime(CLOCK_REALTIME, &wall);
		fprintf(stderr, "bpflp: phase %s %ld.%06ld\n", step, (long)wall.tv_sec,
			wall.tv_nsec / 1000);
	}
	pr_debug("step %s at %ld.%06ld\n", step, (long)now.tv_sec, now.tv_nsec / 1000);
	if (kill_at && !strcmp(kill_at, step))
		kill(getpid(), SIGKILL);
	/* Stopped until SIGCONT, once: a test holds this process here to race another one. */
	if (pause_at && !strcmp(pause_at, step)) {
		unsetenv("BPFLP_PAUSE");
		kill(getpid(), SIGSTOP);
	}
}

bool fault_legacy_slot(void)
{
	const char *legacy = getenv("BPFLP_LEGACY_SLOT");

	return legacy && !strcmp(legacy, "1");
}
