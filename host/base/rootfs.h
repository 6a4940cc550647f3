/* rootfs: open and read host files strictly inside a root directory. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Every read of host data is capped; a larger file is an error, not a truncation. */
#define ROOTFS_READ_CAP (4u * 1024u * 1024u)

struct rootfs {
        int fd;             /* O_PATH directory fd of the root */
        char path[4096];    /* as given, for messages */
        signed char procfs; /* for --proc: 1 a real procfs, -1 not, 0 not looked at (procfs.h) */
};

/* Test hook: resolve without openat2 even where the kernel has it. */
extern bool rootfs_force_fallback;

int rootfs_open_root(const char *path, struct rootfs *ret);
/* A directory inside @parent becomes a root of its own (e.g. ROOT/proc). */
int rootfs_open_subroot(const struct rootfs *parent, const char *rel, struct rootfs *ret);
void rootfs_close(struct rootfs *r);

/* Resolve @path (absolute or relative; both taken from the root) inside @r.
 * Symlinks are followed but can never leave the root; ".." stops at the root.
 * @flags are open(2) flags (O_PATH, O_DIRECTORY, O_RDONLY ...). Returns fd or -errno. */
int rootfs_openat(const struct rootfs *r, const char *path, int flags);

/* Open a regular file for reading: a FIFO, device or directory is -EINVAL (never a hang). */
int rootfs_open_regular(const struct rootfs *r, const char *path, struct stat *ret_st);

/* Read a whole regular file, capped at @cap bytes (-EFBIG beyond). The buffer is
 * NUL-terminated (not counted in *ret_len). */
int rootfs_read_file(const struct rootfs *r, const char *path, size_t cap, char **ret_buf, size_t *ret_len,
                     struct stat *ret_st);

/* stat without following a final symlink out of the root (final symlinks ARE followed
 * inside it, as the consumer of the file would). */
int rootfs_stat(const struct rootfs *r, const char *path, struct stat *ret_st);

/* Read the target of a symlink inside the root (not resolved). */
int rootfs_readlink(const struct rootfs *r, const char *path, char *buf, size_t size);

/* List names in a directory, sorted by byte order; "." and ".." left out.
 * At most @max entries (-E2BIG beyond). */
int rootfs_list_dir(const struct rootfs *r, const char *path, size_t max, char ***ret_names, size_t *ret_n);
/* The same for a directory fd already open (O_RDONLY | O_DIRECTORY); takes it over. */
int rootfs_list_fd(int fd, size_t max, char ***ret_names, size_t *ret_n);
void strv_free(char **v, size_t n);

/* Read everything from an fd up to @cap (-EFBIG beyond). */
int read_fd_capped(int fd, size_t cap, char **ret_buf, size_t *ret_len);

/* Human text for an errno from this module. */
const char *rootfs_strerror(int negerr);
