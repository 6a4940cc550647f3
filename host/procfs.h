/* procfs: the one place that opens a process's namespace links under --proc, never following a link out. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "rootfs.h"

/* True when @proc is a real procfs mount (its superblock says so), so its
 * "magic" links (ns/net, fd/N, root, cwd, exe) are the kernel's, not planted. */
bool procfs_is_real(const struct rootfs *proc);

/* Open the namespace link @rel under @proc (e.g. "1/ns/net") as a readable fd of
 * namespace type @nstype (CLONE_NEWNET ...). On a real procfs the magic link is
 * followed by the kernel; anywhere else (a fixture root) the path resolves inside
 * the root with no magic link, and must land on a namespace file (an nsfs bind
 * mount). Nothing but an nsfs inode is ever opened for reading, so a FIFO or
 * device planted at that path is never opened. -ENOTSUP: not a namespace of
 * @nstype; else -errno. */
int procfs_open_ns(const struct rootfs *proc, const char *rel, int nstype, int *ret_fd);

/* The same for an explicit path given on the command line (--pod-netns, --netns)
 * or nodeward's own /proc/self/ns/net: looked at with O_PATH first. */
int nsfs_open_path(const char *path, int nstype, int *ret_fd);

/* Open a process's root directory (PROC/PID/root) as a root of its own, so what is
 * read there stays inside the process's filesystem. On a real procfs the kernel's
 * magic link is followed; in a fixture PID/root resolves inside @proc. */
int procfs_open_root(const struct rootfs *proc, pid_t pid, struct rootfs *ret);
