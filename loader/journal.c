// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <unistd.h>
#include "journal.h"

int journal_write(const struct journal *j)
{
	return store_write_record(JOURNAL_PIN, "bpflp_journal", j, sizeof(*j));
}

int journal_read(struct journal *j)
{
	int err = store_read_record(JOURNAL_PIN, j, sizeof(*j));

	if (!err && (j->magic != JOURNAL_MAGIC || j->abi_version != BPFLP_ABI_VERSION))
		err = -EPROTO;
	return err;
}

int journal_remove(void)
{
	return unlink(JOURNAL_PIN) && errno != ENOENT ? -errno : 0;
}
