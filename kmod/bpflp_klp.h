/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a livepatch module shipped in a bpflp patch declares beside its
 * klp_patch, so that `bpflp check --module` can validate it before it is
 * loaded: the functions it patches, as "OBJECT:FUNCTION[,SYMPOS]" separated
 * by spaces (OBJECT is vmlinux or a module name). The kernel keeps the
 * klp_func names in .data, reachable only through relocations; a modinfo
 * tag is read with libkmod like vermagic and livepatch=Y.
 */
#ifndef BPFLP_KLP_H
#define BPFLP_KLP_H

#include <linux/module.h>

#define BPFLP_KLP_PATCHES(list) MODULE_INFO(bpflp_patches, list)

#endif /* BPFLP_KLP_H */
