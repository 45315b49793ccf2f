// SPDX-License-Identifier: GPL-2.0
/* 33 programs on 33 functions: one more than BPFLP_MAX_FUNCS (32). */
#include "vmlinux.h"
#include <bpflp/patch.bpf.h>

BPFLP_PATCH("too-many", 1);

#define WATCH(func) BPFLP_FENTRY(func) { return 0; }

WATCH(security_file_open)
WATCH(security_file_receive)
WATCH(security_file_send_sigiotask)
WATCH(security_file_set_fowner)
WATCH(security_file_fcntl)
WATCH(security_file_lock)
WATCH(security_file_mprotect)
WATCH(security_file_ioctl)
WATCH(security_file_free)
WATCH(security_file_alloc)
WATCH(security_file_permission)
WATCH(security_inode_copy_up_xattr)
WATCH(security_inode_copy_up)
WATCH(security_inode_getsecid)
WATCH(security_inode_listsecurity)
WATCH(security_inode_setsecurity)
WATCH(security_inode_getsecurity)
WATCH(security_inode_killpriv)
WATCH(security_inode_need_killpriv)
WATCH(security_inode_removexattr)
WATCH(security_inode_listxattr)
WATCH(security_inode_getxattr)
WATCH(security_inode_post_setxattr)
WATCH(security_inode_setxattr)
WATCH(security_inode_getattr)
WATCH(security_inode_setattr)
WATCH(security_inode_permission)
WATCH(security_inode_follow_link)
WATCH(security_inode_readlink)
WATCH(security_inode_rename)
WATCH(security_inode_mknod)
WATCH(security_inode_rmdir)
WATCH(security_inode_mkdir)
