// SPDX-License-Identifier: GPL-2.0
/*
 * Design probe for a replace that rebuilds no trampoline (issue 22): one
 * fmod_ret stub stays attached to the function and tail-calls, through a
 * per-function program array, the implementation a global word names. A
 * switch is then map writes, not links; and one program runs per call,
 * so a call cannot see two words. The implementations are fmod_ret
 * programs of the same function, loaded and never attached.
 */
#include "vmlinux.h"
#include "open_target.bpf.h"

/* Which entry of impls runs: the commit word of this design. */
__u64 live_index;
__u64 stub_runs;

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} impls SEC(".maps");

SEC("fmod_ret/security_file_open")
int BPF_PROG(stub, struct file *file, int ret)
{
	if (ret)
		return ret;
	if (is_target(file)) /* the test's own opens, not the system's */
		__sync_fetch_and_add(&stub_runs, 1);
	bpf_tail_call(ctx, &impls, *(volatile __u64 *)&live_index);
	return 0; /* an empty entry: the original runs */
}

/*
 * A program of another function, with another prototype: the kernel must
 * refuse it in this array (CVE-2024-50063's fix compares the attach
 * prototype, not the function: per function is the loader's rule).
 */
SEC("fmod_ret/security_inode_unlink")
int BPF_PROG(other_hook, struct inode *dir, struct dentry *dentry, int ret)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
