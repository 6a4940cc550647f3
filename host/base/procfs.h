/* procfs: the one gate every read of --proc goes through; a real procfs is verified and never left. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/rootfs.h"

/* Open --proc (an absolute path, or "proc" under the root) and note whether its
 * superblock is a real procfs. Every later read goes through the functions below:
 * on a real procfs a path resolves beneath it, on that one mount, following no
 * magic link (ns/net, fd/N, root, cwd, exe) and checked to land on procfs; on
 * anything else (a fixture, or a hostile ROOT/proc) it resolves inside that
 * directory as every host file does, so a planted link never leads out. */
int procfs_open_root(const char *path, struct rootfs *ret);
int procfs_open_subroot(const struct rootfs *root, const char *rel, struct rootfs *ret);

/* True when @proc is a real procfs mount (its superblock says so), so its
 * "magic" links are the kernel's, not planted. */
bool procfs_is_real(const struct rootfs *proc);

/* The gate: open @rel ("811/fd", "811/cmdline") under @proc with open(2) @flags. */
int procfs_openat(const struct rootfs *proc, const char *rel, int flags);
/* Read a whole file (comm, cmdline, cgroup, mountinfo, a sysctl), capped at @cap
 * (-EFBIG beyond); NUL-terminated. A non-regular file is -EINVAL, never opened
 * for reading in a fixture. */
int procfs_read_file(const struct rootfs *proc, const char *rel, size_t cap, char **ret_buf, size_t *ret_len);
/* The target of a link (fd/N, cwd, ns/net) as text: read, never followed. */
int procfs_readlink(const struct rootfs *proc, const char *rel, char *buf, size_t size);
/* Names in a directory, sorted; at most @max (-E2BIG beyond). */
int procfs_list_dir(const struct rootfs *proc, const char *rel, size_t max, char ***ret_names, size_t *ret_n);

/* Open the namespace link @rel under @proc (e.g. "1/ns/net") as a readable fd of
 * namespace type @nstype (CLONE_NEWNET ...). On a real procfs the directory comes
 * through the gate and its magic link, the kernel's own, is the one link ever
 * followed; anywhere else the path resolves inside the root with no magic link,
 * and must land on a namespace file (an nsfs bind mount). Nothing but an nsfs
 * inode is ever opened for reading, so a FIFO or device planted at that path is
 * never opened. -ENOTSUP: not a namespace of @nstype; else -errno. */
int procfs_open_ns(const struct rootfs *proc, const char *rel, int nstype, int *ret_fd);

/* The same for an explicit path given on the command line (--pod-netns, --netns)
 * or nodeward's own /proc/self/ns/net: looked at with O_PATH first. */
int nsfs_open_path(const char *path, int nstype, int *ret_fd);

/* Open a process's root directory (PROC/PID/root) as a root of its own, so what is
 * read there stays inside the process's filesystem. On a real procfs the kernel's
 * magic link is followed; in a fixture PID/root resolves inside @proc. */
int procfs_open_pid_root(const struct rootfs *proc, pid_t pid, struct rootfs *ret);
