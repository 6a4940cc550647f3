/* ownerscan: the record the socket-owner iterator writes for each wanted socket a process holds. */
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define OWNERSCAN_COMM_LEN 16
/* The map's size: its buckets are allocated (and zeroed) at load, whatever it holds.
 * More inodes than this and every socket is written, for userspace to sort out. */
#define OWNERSCAN_MAX_INODES 16384u

struct ownerscan_rec {
        __u64 ino; /* the socket's inode, as sock_diag reports it */
        __u32 pid; /* thread-group id in the reader's pid namespace */
        __u32 fd;
        char comm[OWNERSCAN_COMM_LEN];
};

/* One process of the reader's pid namespace, for the process table. */
struct ownerscan_task {
        __u32 pid;
        char comm[OWNERSCAN_COMM_LEN];
};

#ifndef __VMLINUX_H__
#include <stddef.h>
#include <stdint.h>

/* Load the iterator, ask for @inodes, read every (inode, pid, fd, comm) once
 * (beyond OWNERSCAN_MAX_INODES, every socket's: the caller keeps what it asked for).
 * Tasks and pids are those of the caller's own pid namespace, as its own procfs
 * shows them (the caller checks it reads that procfs). Needs CAP_BPF and CAP_PERFMON (or root) and a kernel with BTF and
 * iter/task_file (5.8+); any failure is -errno with the reason, for a fallback. */
int ownerscan_run(const uint64_t *inodes, size_t n, size_t max_recs, struct ownerscan_rec **ret, size_t *ret_n,
                  char **ret_err);

/* Every process of the caller's pid namespace with its comm, in one
 * pass (iter/task, kernel 5.18+ as above; at most @max records): the process table
 * without an open, read and close of PROC/<pid>/comm for each. -errno as above. */
int ownerscan_tasks(size_t max, struct ownerscan_task **ret, size_t *ret_n, char **ret_err);

/* Between these, the passes share one load (a run's process table and owners);
 * the last release unloads it. Holds nest; passes outside any load their own. */
void ownerscan_hold(void);
void ownerscan_release(void);
#endif
