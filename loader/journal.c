// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "journal.h"

int journal_write(const struct journal *j)
{
	__u32 key = 0;
	int fd, err;

	fd = bpf_obj_get(JOURNAL_PIN);
	if (fd < 0) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpflp_journal", sizeof(key), sizeof(*j), 1,
				    NULL);
		if (fd < 0)
			return -errno;
		/* Fill before pinning: a reader never sees an empty journal. */
		if (bpf_map_update_elem(fd, &key, j, BPF_ANY) || bpf_obj_pin(fd, JOURNAL_PIN)) {
			err = -errno;
			close(fd);
			return err;
		}
		close(fd);
		return 0;
	}
	err = bpf_map_update_elem(fd, &key, j, BPF_ANY) ? -errno : 0;
	close(fd);
	return err;
}

int journal_read(struct journal *j)
{
	__u32 key = 0;
	int fd, err;

	fd = bpf_obj_get(JOURNAL_PIN);
	if (fd < 0)
		return -errno;
	err = bpf_map_lookup_elem(fd, &key, j) ? -errno : 0;
	close(fd);
	if (!err && (j->magic != JOURNAL_MAGIC || j->abi_version != BPFLP_ABI_VERSION))
		err = -EPROTO;
	return err;
}

int journal_remove(void)
{
	return unlink(JOURNAL_PIN) && errno != ENOENT ? -errno : 0;
}
