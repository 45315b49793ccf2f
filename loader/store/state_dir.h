/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpflp's state directory on persistent storage, /var/lib/bpflp unless
 * BPFLP_STATE_DIR names another (an absolute path): what must outlive a
 * reboot, which empties bpffs. It holds patches/ (install, boot) and
 * history.log (see history.h).
 */
#ifndef BPFLP_STATE_DIR_H
#define BPFLP_STATE_DIR_H

#include <stddef.h>

#define DEFAULT_STATE_DIR "/var/lib/bpflp"

/*
 * STATE_DIR/sub in buf. 0, -EINVAL when BPFLP_STATE_DIR is not absolute,
 * -ENAMETOOLONG when the path does not fit. Prints nothing: the callers
 * decide whether that is an error (install) or a warning (the history).
 */
int state_dir_path(char *buf, size_t size, const char *sub);

/* mkdir -p, mode 0755: 0 or -errno. */
int mkdir_p(const char *path);

#endif /* BPFLP_STATE_DIR_H */
