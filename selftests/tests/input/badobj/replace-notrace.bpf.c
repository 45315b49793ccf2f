// SPDX-License-Identifier: GPL-2.0
/* replace-notrace: refused before anything is loaded (see corpus.sh). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("replace-notrace", 1);

BPFLP_REPLACE(do_blk_trace_setup, struct request_queue *q, char *name, dev_t dev,
	      struct block_device *bdev, struct blk_user_trace_setup *buts)
{
	return -1;
}
