// SPDX-License-Identifier: GPL-2.0
/* ownerscan: one pass over every open file of every process (iter/task_file),
 * writing (inode, pid, fd, comm) for the sockets whose inodes userspace asked for;
 * and one pass over every process (iter/task), writing (pid, comm): the process table. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "ownerscan.h"

char LICENSE[] SEC("license") = "GPL";

#define OWNERSCAN_S_IFMT 00170000
#define OWNERSCAN_S_IFSOCK 0140000

/* 0: more inodes were asked for than the map holds; every socket is written. */
const volatile __u32 use_map = 1;

/* The inodes asked for; filled after loading, so allocated as they come. */
struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, OWNERSCAN_MAX_INODES);
        __uint(map_flags, BPF_F_NO_PREALLOC);
        __type(key, __u64);
        __type(value, __u8);
} wanted SEC(".maps");

/* The depth of the reader's pid namespace. The kernel walks the tasks of the
 * namespace the iterator was created in, the reader's, and its procfs (the one
 * userspace reads, checked to be its own) shows their pids at this depth. A
 * procfs's own NSpid lines count from the procfs's namespace, so only the kernel
 * knows the absolute depth. The iterator runs in the reader's read(): the current
 * task is the reader. */
static __always_inline __u32 reader_level(void)
{
        struct task_struct *me = bpf_get_current_task_btf();
        return BPF_CORE_READ(me, thread_pid, level);
}

SEC("iter/task_file")
int owners(struct bpf_iter__task_file *ctx)
{
        struct task_struct *task = ctx->task;
        struct file *file = ctx->file;
        if (!task || !file)
                return 0;
        /* A socket is known by its inode's mode: socket_file_ops is not reachable here.
         * Every open file passes here, so these are direct (BTF-checked) loads,
         * relocated by CO-RE, not probe-read helper calls. */
        struct inode *inode = file->f_inode;
        if (!inode || (inode->i_mode & OWNERSCAN_S_IFMT) != OWNERSCAN_S_IFSOCK)
                return 0;
        __u64 ino = inode->i_ino;
        if (use_map && !bpf_map_lookup_elem(&wanted, &ino))
                return 0;
        struct pid *p = BPF_CORE_READ(task, group_leader, thread_pid);
        __u32 level = reader_level();
        if (!p || BPF_CORE_READ(p, level) < level)
                return 0;
        struct ownerscan_rec r = {.ino = ino, .fd = ctx->fd};
        r.pid = BPF_CORE_READ(p, numbers[level].nr);
        BPF_CORE_READ_STR_INTO(&r.comm, task, group_leader, comm);
        bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
        return 0;
}

SEC("iter/task")
int tasks(struct bpf_iter__task *ctx)
{
        struct task_struct *task = ctx->task;
        /* Processes, as PROC lists them: thread-group leaders only. */
        if (!task || task->pid != task->tgid)
                return 0;
        struct pid *p = task->thread_pid;
        __u32 level = reader_level();
        if (!p || BPF_CORE_READ(p, level) < level)
                return 0;
        struct ownerscan_task r = {};
        r.pid = BPF_CORE_READ(p, numbers[level].nr);
        BPF_CORE_READ_STR_INTO(&r.comm, task, comm);
        bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
        return 0;
}
