/* procfs: the one gate every read of --proc goes through; a real procfs is verified and never left. */
#define _GNU_SOURCE
#include "base/procfs.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define PROCFS_MAX_LINKS 8

static bool fd_on(int fd, long magic)
{
        struct statfs sf;
        return fstatfs(fd, &sf) == 0 && sf.f_type == magic;
}

bool procfs_is_real(const struct rootfs *proc)
{
        if (!proc || proc->fd < 0)
                return false;
        if (proc->procfs)
                return proc->procfs > 0;
        return fd_on(proc->fd, PROC_SUPER_MAGIC);
}

static void mark(struct rootfs *r)
{
        r->procfs = fd_on(r->fd, PROC_SUPER_MAGIC) ? 1 : -1;
}

int procfs_open_root(const char *path, struct rootfs *ret)
{
        int r = rootfs_open_root(path, ret);
        if (r < 0)
                return r;
        mark(ret);
        return 0;
}

int procfs_open_subroot(const struct rootfs *root, const char *rel, struct rootfs *ret)
{
        int r = rootfs_open_subroot(root, rel, ret);
        if (r < 0)
                return r;
        mark(ret);
        return 0;
}

static int openat2_procfs(int dirfd, const char *rel, int flags)
{
        struct open_how how = {
                .flags = (unsigned long long)(unsigned)(flags | O_CLOEXEC),
                /* Beneath the procfs root, on that one mount (nothing bind-mounted over a
                 * /proc/PID entry is entered), and no magic link is followed: "self" is
                 * a plain link and stays allowed. */
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        for (int tries = 0; tries < 8; tries++) {
                long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
                if (fd >= 0)
                        return (int)fd;
                if (errno != EAGAIN)
                        return -errno;
        }
        return -EAGAIN;
}

/* The mount an fd is on, as nodeward's own fdinfo says (Linux 3.15+): a bind
 * mount of procfs over procfs keeps st_dev, only the mount id tells. */
static int fd_mount_id(int fd)
{
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
        _cleanup_close_ int ifd = open(path, O_RDONLY | O_CLOEXEC);
        if (ifd < 0)
                return -errno;
        ssize_t n = read(ifd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        const char *m = strstr(buf, "mnt_id:");
        return m ? atoi(m + 7) : -EIO;
}

/* Without openat2 (kernels before 5.6, AL2's 5.4): one component at a time with
 * O_NOFOLLOW, each on the procfs mount itself. A link is taken only when the
 * kernel names a sibling path ("self" -> "811"), never an absolute or ".." one. */
static int walk_procfs(int rootfd, dev_t dev, const char *rel, int flags)
{
        char path[512];
        if (snprintf(path, sizeof(path), "%s", rel) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        _cleanup_close_ int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        struct stat st;
        if (fstat(cur, &st) < 0)
                return -errno;
        int links = 0, mnt = fd_mount_id(rootfd);
        if (mnt < 0)
                return mnt;
        char *p = path;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                char *end = strchrnul(p, '/');
                size_t len = (size_t)(end - p);
                if (len == 1 && p[0] == '.') {
                        p = end;
                        continue;
                }
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return -EXDEV;
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                char comp[NAME_MAX + 1];
                memcpy(comp, p, len);
                comp[len] = '\0';
                _cleanup_close_ int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 || fstat(fd, &st) < 0)
                        return -errno;
                if (st.st_dev != dev || fd_mount_id(fd) != mnt)
                        return -EXDEV;
                if (S_ISLNK(st.st_mode)) {
                        char target[256], rest[512];
                        ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
                        if (n < 0)
                                return -errno;
                        if (n == 0 || ++links > PROCFS_MAX_LINKS)
                                return -ELOOP;
                        target[n] = '\0';
                        /* A magic link ("socket:[1]", "/usr/bin/x") or one leaving the directory. */
                        if (target[0] == '/' || strstr(target, "..") || strchr(target, ':'))
                                return -ELOOP;
                        if (snprintf(rest, sizeof(rest), "%s%s", target, end) >= (int)sizeof(rest))
                                return -ENAMETOOLONG;
                        memcpy(path, rest, strlen(rest) + 1);
                        p = path;
                        if (fstat(cur, &st) < 0)
                                return -errno;
                        continue;
                }
                close(cur);
                cur = fd;
                fd = -1;
                p = end;
        }
        if (flags & O_PATH) {
                int fd = cur;
                cur = -1;
                return fd;
        }
        if ((flags & O_DIRECTORY) && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (!(flags & O_DIRECTORY) && S_ISDIR(st.st_mode))
                return -EISDIR;
        /* Reopened through the verified O_PATH fd, never by name again. */
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", cur);
        int fd = open(self, flags | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int have_openat2 = -1;

int procfs_openat(const struct rootfs *proc, const char *rel, int flags)
{
        if (!proc || proc->fd < 0)
                return -EBADF;
        if (!procfs_is_real(proc))
                return rootfs_openat(proc, rel, flags);
        while (*rel == '/')
                rel++;
        if (!*rel)
                rel = ".";
        int fd = -ENOSYS;
        if (!rootfs_force_fallback && have_openat2 != 0) {
                fd = openat2_procfs(proc->fd, rel, flags);
                /* ENOSYS: an old kernel; EPERM: a seccomp filter that does not know openat2. */
                /* ENOSYS also once the sandbox (host/base/sandbox.c) is in place. */
                if (have_openat2 < 0 || fd == -ENOSYS)
                        have_openat2 = !(fd == -ENOSYS || fd == -EPERM);
                /* RESOLVE_NO_XDEV kept it on the mount of @proc, verified procfs when
                 * it was opened: no statfs per file (one per process in a table pass). */
                if (fd >= 0 || (fd != -ENOSYS && fd != -EPERM && !rootfs_force_fallback))
                        return fd;
        }
        if (fd == -ENOSYS || fd == -EPERM || rootfs_force_fallback) {
                struct stat rst;
                if (fstat(proc->fd, &rst) < 0)
                        return -errno;
                fd = walk_procfs(proc->fd, rst.st_dev, rel, flags);
        }
        /* The walk checked each component's mount; the file it reopened is checked too. */
        if (fd >= 0 && !fd_on(fd, PROC_SUPER_MAGIC)) {
                close(fd);
                return -EXDEV;
        }
        return fd;
}

int procfs_read_file(const struct rootfs *proc, const char *rel, size_t cap, char **ret_buf, size_t *ret_len)
{
        if (!procfs_is_real(proc))
                return proc && proc->fd >= 0 ? rootfs_read_file(proc, rel, cap, ret_buf, ret_len, NULL) : -EBADF;
        /* Nothing but procfs's own files can be reached, so no FIFO or device can be
         * opened: the file is opened once, and must still be a regular one. */
        _cleanup_close_ int fd = procfs_openat(proc, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return fd;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        char *buf;
        size_t len;
        int r = read_fd_capped(fd, cap, &buf, &len);
        if (r < 0)
                return r;
        *ret_buf = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

static int split_dir(const char *rel, char *dir, size_t size, const char **ret_name)
{
        const char *slash = strrchr(rel, '/');
        const char *name = slash ? slash + 1 : rel;
        if (!*name)
                return -EINVAL;
        if (snprintf(dir, size, "%.*s", slash ? (int)(slash - rel) : 1, slash ? rel : ".") >= (int)size)
                return -ENAMETOOLONG;
        if (!*dir)
                dir[0] = '/', dir[1] = '\0';
        *ret_name = name;
        return 0;
}

int procfs_readlink(const struct rootfs *proc, const char *rel, char *buf, size_t size)
{
        char dir[512];
        const char *name;
        if (size < 2)
                return -EINVAL;
        int r = split_dir(rel, dir, sizeof(dir), &name);
        if (r < 0)
                return r;
        /* readlinkat never follows: a magic link's target is only read, as text. */
        _cleanup_close_ int dfd = procfs_openat(proc, dir, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        ssize_t n = readlinkat(dfd, name, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return 0;
}

int procfs_list_dir(const struct rootfs *proc, const char *rel, size_t max, char ***ret_names, size_t *ret_n)
{
        int fd = procfs_openat(proc, rel, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        return rootfs_list_fd(fd, max, ret_names, ret_n);
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
        char dir[512];
        const char *name;
        int r = split_dir(rel, dir, sizeof(dir), &name);
        if (r < 0)
                return r;
        int pfd;
        if (procfs_is_real(proc)) {
                /* The directory is procfs's own (verified by the gate); its magic link
                 * is the kernel's and the one link ever followed, onto an nsfs inode. */
                _cleanup_close_ int dfd = procfs_openat(proc, dir, O_PATH | O_DIRECTORY);
                if (dfd < 0)
                        return dfd;
                pfd = openat(dfd, name, O_PATH | O_CLOEXEC);
                pfd = pfd < 0 ? -errno : pfd;
        } else {
                /* A fixture: resolved inside the root with no magic link; a planted
                 * "1/ns/net -> /x" stays under it. */
                pfd = rootfs_openat(proc, rel, O_PATH);
        }
        if (pfd < 0)
                return pfd;
        r = nsfs_reopen(pfd, nstype, ret_fd);
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

int procfs_open_pid_root(const struct rootfs *proc, pid_t pid, struct rootfs *ret)
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
        ret->procfs = 0;
        _cleanup_free_ char *p = path_join(proc->path, rel);
        size_t n = strnlen(p, sizeof(ret->path) - 1);
        memcpy(ret->path, p, n);
        ret->path[n] = '\0';
        return 0;
}
