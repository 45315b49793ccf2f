/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fingerprint of each program of an applied patch (prog_fingerprint.h),
 * pinned as patches/NAME@VERSION/fingerprints beside (not inside) struct
 * patch_meta, so older records stay readable: progs[i] is the program of
 * meta.funcs[i]. A later patch is compared with what runs, not with the
 * file it came from (which may be gone or rebuilt). A patch applied by a
 * bpflp that predates the record has none: its programs count as changed.
 */
#ifndef BPFLP_FINGERPRINTS_H
#define BPFLP_FINGERPRINTS_H

#include "bpflp/abi.h"
#include "prog_fingerprint.h"

#define FINGERPRINTS_MAGIC   0x50524746U /* "FGRP" */
#define FINGERPRINTS_VERSION 1U
#define FINGERPRINTS_PIN     "fingerprints"

struct patch_fingerprints {
	__u32 magic;
	__u32 format; /* FINGERPRINTS_VERSION */
	__u32 nr;     /* meta.nr_funcs */
	__u32 pad;
	struct prog_fingerprint progs[BPFLP_MAX_FUNCS];
};

/* Pin dir/fingerprints. */
int fingerprints_write(const char *dir, const struct patch_fingerprints *fps);
/* 0 and *fps, -ENOENT when dir has none, or another negative errno (-EPROTO: not ours). */
int fingerprints_read(const char *dir, struct patch_fingerprints *fps);

#endif /* BPFLP_FINGERPRINTS_H */
