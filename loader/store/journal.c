// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "journal.h"

int journal_write(const struct journal *j)
{
	return store_write_record(JOURNAL_PIN, "bpflp_journal", j, sizeof(*j));
}

/* The journal is read back from bpffs: every count and index in range, every string ended. */
static bool journal_valid(const struct journal *j)
{
	if ((j->op != JOURNAL_APPLY && j->op != JOURNAL_DISABLE) || j->slot >= BPFLP_MAX_SLOTS ||
	    j->nr_own_pins > 8 || !memchr(j->dir, '\0', sizeof(j->dir)) ||
	    (j->has_previous && !meta_valid(&j->previous)))
		return false;
	for (__u32 i = 0; i < j->nr_own_pins; i++)
		if (!memchr(j->own_pins[i], '\0', sizeof(j->own_pins[i])))
			return false;
	return true;
}

int journal_read(struct journal *j)
{
	int err = store_read_record(JOURNAL_PIN, j, sizeof(*j));

	if (!err &&
	    (j->magic != JOURNAL_MAGIC || j->abi_version != BPFLP_ABI_VERSION || !journal_valid(j)))
		err = -EPROTO;
	return err;
}

int journal_remove(void)
{
	return unlink(JOURNAL_PIN) && errno != ENOENT ? -errno : 0;
}
