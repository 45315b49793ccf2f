/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How the loader knows the bpflp_companion it finds loaded is bpflp's:
 * the module name and its modinfo version are only claims any module can
 * make. bpflp's module answers an identity ioctl on its device with a
 * magic, its companion ABI and its version; a module of that name without
 * the device, or whose device does not answer so, is not bpflp's, and
 * bpflp neither uses nor unloads it.
 *
 * Shared by kmod/companion_dev.c and loader/kernel/companion_attach.c. Its home
 * is include/bpflp/companion.h, with the other ioctls; it lives here so
 * that the module build (which copies kmod/) and the loader both see it.
 */
#ifndef BPFLP_COMPANION_IDENT_H
#define BPFLP_COMPANION_IDENT_H

#include "bpflp/companion.h"

#define BPFLP_COMPANION_MAGIC 0x43504c42U /* "BLPC" in memory order */

struct bpflp_companion_ident {
	__u32 magic;      /* BPFLP_COMPANION_MAGIC */
	__u32 abi;        /* BPFLP_COMPANION_ABI */
	char version[32]; /* BPFLP_VERSION, NUL-terminated */
};

/* Needs no capability: it only tells what the module is. */
#define BPFLP_COMPANION_IOC_IDENT _IOR('B', 3, struct bpflp_companion_ident)

#endif /* BPFLP_COMPANION_IDENT_H */
