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
        __u64 ino;  /* the socket's inode, as sock_diag reports it */
        __u32 pid;  /* thread-group id in the reader's pid namespace */
        __u32 fd;
        char comm[OWNERSCAN_COMM_LEN];
};

#ifndef __VMLINUX_H__
#include <stddef.h>
#include <stdint.h>

/* Load the iterator, ask for @inodes, read every (inode, pid, fd, comm) once
 * (beyond OWNERSCAN_MAX_INODES, every socket's: the caller keeps what it asked for).
 * @ns_level: the caller's pid namespace level (pids come out as its procfs has
 * them). Needs CAP_BPF and CAP_PERFMON (or root) and a kernel with BTF and
 * iter/task_file (5.8+); any failure is -errno with the reason, for a fallback. */
int ownerscan_run(uint32_t ns_level, const uint64_t *inodes, size_t n, size_t max_recs,
                  struct ownerscan_rec **ret, size_t *ret_n, char **ret_err);
#endif
