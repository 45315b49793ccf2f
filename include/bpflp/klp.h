/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Optional: what a livepatch module shipped in a bpflp patch patches, as
 * "OBJECT:FUNCTION[,SYMPOS]" separated by spaces (OBJECT is vmlinux or a
 * module name), read with libkmod like vermagic and livepatch=Y. bpflp
 * reads the same from the module's static klp_patch (loader/lib/klp_elf.c), so
 * a module written like samples/livepatch/livepatch-sample.c needs no tag;
 * it is for modules that build their klp_patch at run time (kpatch-build's),
 * and when present it wins. It does not vouch for .replace: a static
 * klp_patch without .replace = true is refused, tag or not.
 */
#ifndef BPFLP_KLP_H
#define BPFLP_KLP_H

#include <linux/module.h>

#define BPFLP_KLP_PATCHES(list) MODULE_INFO(bpflp_patches, list)

#endif /* BPFLP_KLP_H */
