// SPDX-License-Identifier: GPL-2.0
/*
 * map_update_floor ROUNDS: the floor of a bpflp commit, one bare
 * bpf_map_update_elem() syscall on a one-entry array map, timed ROUNDS
 * times one by one. Prints "first_us min_us median_us max_us": the first
 * update is cold, as a bpflp commit is (one call in a fresh process);
 * min, median and max are of the ROUNDS after it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	__u32 key = 0;
	__u64 value;
	double *us;
	int rounds, fd, err = 1;

	if (argc != 2 || (rounds = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: map_update_floor ROUNDS\n");
		return 2;
	}
	us = calloc(rounds + 1, sizeof(*us));
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "floor", sizeof(key), sizeof(value), 1, NULL);
	if (!us || fd < 0) {
		fprintf(stderr, "map_update_floor: cannot create the map: %s\n", strerror(errno));
		goto out;
	}
	for (int i = 0; i <= rounds; i++) {
		double t0;

		value = i;
		t0 = now_us();
		if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) {
			fprintf(stderr, "map_update_floor: update: %s\n", strerror(errno));
			goto out;
		}
		us[i] = now_us() - t0;
	}
	qsort(us + 1, rounds, sizeof(*us), cmp_double);
	printf("%.1f %.1f %.1f %.1f\n", us[0], us[1], us[1 + rounds / 2], us[rounds]);
	err = 0;
out:
	if (fd >= 0)
		close(fd);
	free(us);
	return err;
}
