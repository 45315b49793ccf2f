/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The companion kernel module (include/bpflp/companion.h) as a file and as
 * a loaded module: where it is, whether it fits this kernel and this bpflp,
 * loading it when a patch needs it and unloading it when none does.
 * libkmod does the work; no shell command is run.
 */
#ifndef BPFLP_COMPANION_KMOD_H
#define BPFLP_COMPANION_KMOD_H

#include <stdbool.h>
#include <stddef.h>

/* The environment variable naming the module file to use instead of searching. */
#define BPFLP_KMOD_ENV "BPFLP_KMOD"

/*
 * Where the module file is: $BPFLP_KMOD; else kmod/<uname -r>/ or kmod/
 * next to the bpflp binary (build/kmod/<release>/ for build/bpflp: make
 * kmod builds one per guest kernel); else
 * <prefix>/lib/bpflp/modules/<uname -r>/ for <prefix>/sbin/bpflp (where make
 * install puts it); else wherever modprobe would find it. 0 and path set, or
 * -ENOENT and why says where it looked.
 */
int companion_module_find(char *path, size_t path_size, char *why, size_t size);

/*
 * Does the module file at path fit: built for kernel release (vermagic),
 * of this bpflp's version (modinfo version == BPFLP_VERSION) and ABI
 * (modinfo bpflp_abi == BPFLP_COMPANION_ABI)? 0, or a negative errno and a
 * one-line why naming the mismatch and the fix.
 */
int companion_module_check_file(const char *path, const char *release, char *why, size_t size);

/* Is bpflp_companion loaded (live or coming up)? */
bool companion_module_loaded(void);

/*
 * 0 if a matching module is loaded, or can be loaded on this kernel; else
 * a negative errno and why (one line, naming the fix). Changes nothing.
 * A loaded module must prove it is bpflp's: its device answers the
 * identity ioctl (companion_ident.h) with bpflp's magic, ABI and version.
 */
int companion_module_usable(char *why, size_t size);

/* Load the module if it is not loaded (0 then); any error is printed with p_err. */
int companion_module_ensure_loaded(void);

/*
 * Unload the module when it is loaded, is bpflp's (a module that only took
 * its name is left alone) and nothing holds it (refcnt 0). 0 when it was
 * unloaded or there is nothing to do; errors are printed.
 */
int companion_module_release_if_unused(void);

#endif /* BPFLP_COMPANION_KMOD_H */
