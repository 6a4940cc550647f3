/* procfs: the one place that opens a process's namespace links under --proc, never following a link out. */
#define _GNU_SOURCE
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static bool fd_on(int fd, long magic)
{
        struct statfs sf;
        return fstatfs(fd, &sf) == 0 && sf.f_type == magic;
}

bool procfs_is_real(const struct rootfs *proc)
{
        return proc && proc->fd >= 0 && fd_on(proc->fd, PROC_SUPER_MAGIC);
}

/* An O_PATH fd becomes a readable namespace fd only once it is known to be an
 * nsfs inode: the O_PATH look never opens a FIFO or device for reading. */
static int nsfs_reopen(int pfd, int nstype, int *ret_fd)
{
        if (!fd_on(pfd, NSFS_MAGIC))
                return -ENOTSUP;
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
        int fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, NS_GET_NSTYPE) != nstype) {
                close(fd);
                return -ENOTSUP;
        }
        *ret_fd = fd;
        return 0;
}

int procfs_open_ns(const struct rootfs *proc, const char *rel, int nstype, int *ret_fd)
{
        if (!proc || proc->fd < 0)
                return -EBADF;
        const char *slash = strrchr(rel, '/');
        if (!slash || !slash[1])
                return -EINVAL;
        _cleanup_free_ char *dir = xasprintf("%.*s", (int)(slash - rel), rel);
        /* The directory is always reached inside the root: a planted "1/ns -> /x"
         * stays under it. */
        _cleanup_close_ int dfd = rootfs_openat(proc, dir, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        int pfd;
        if (fd_on(dfd, PROC_SUPER_MAGIC)) {
                /* Only procfs makes magic links and nothing can be planted in it,
                 * so here the kernel's link is followed. */
                pfd = openat(dfd, slash + 1, O_PATH | O_CLOEXEC);
                pfd = pfd < 0 ? -errno : pfd;
        } else {
                pfd = rootfs_openat(proc, rel, O_PATH);
        }
        if (pfd < 0)
                return pfd;
        int r = nsfs_reopen(pfd, nstype, ret_fd);
        close(pfd);
        return r;
}

int nsfs_open_path(const char *path, int nstype, int *ret_fd)
{
        int pfd = open(path, O_PATH | O_CLOEXEC);
        if (pfd < 0)
                return -errno;
        int r = nsfs_reopen(pfd, nstype, ret_fd);
        close(pfd);
        return r;
}

int procfs_open_root(const struct rootfs *proc, pid_t pid, struct rootfs *ret)
{
        if (!proc || proc->fd < 0 || pid <= 0)
                return -EBADF;
        char dir[32], rel[40];
        snprintf(dir, sizeof(dir), "%d", (int)pid);
        snprintf(rel, sizeof(rel), "%d/root", (int)pid);
        _cleanup_close_ int dfd = rootfs_openat(proc, dir, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        int fd;
        if (fd_on(dfd, PROC_SUPER_MAGIC)) {
                fd = openat(dfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
                fd = fd < 0 ? -errno : fd;
        } else {
                fd = rootfs_openat(proc, rel, O_PATH | O_DIRECTORY);
        }
        if (fd < 0)
                return fd;
        ret->fd = fd;
        _cleanup_free_ char *p = path_join(proc->path, rel);
        size_t n = strnlen(p, sizeof(ret->path) - 1);
        memcpy(ret->path, p, n);
        ret->path[n] = '\0';
        return 0;
}
