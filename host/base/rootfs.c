/* rootfs: every host file is opened inside --root, symlinks included, never outside it. */
#define _GNU_SOURCE
#include "base/rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define MAX_SYMLINKS 40
#define MAX_DEPTH 256

bool rootfs_force_fallback;
static int have_openat2 = -1; /* -1 unknown, 0 no, 1 yes */

static int sys_openat2(int dirfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (unsigned long long)(unsigned)flags,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        for (int tries = 0; tries < 8; tries++) {
                long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
                if (fd >= 0)
                        return (int)fd;
                if (errno != EAGAIN)
                        return -errno;
        }
        return -EAGAIN;
}

static bool use_openat2(int rootfd)
{
        if (rootfs_force_fallback)
                return false;
        if (have_openat2 < 0) {
                int fd = sys_openat2(rootfd, ".", O_PATH | O_CLOEXEC);
                /* ENOSYS: old kernel; EPERM: a seccomp filter that does not know openat2. */
                have_openat2 = !(fd == -ENOSYS || fd == -EPERM);
                if (fd >= 0)
                        close(fd);
        }
        return have_openat2 == 1;
}

/* Fallback resolver: walks one component at a time with O_NOFOLLOW, reading each
 * symlink itself and restarting absolute targets at the root, so nothing can
 * climb out, just as RESOLVE_IN_ROOT does. */
static int resolve_fallback(int rootfd, const char *path, int flags)
{
        int stack[MAX_DEPTH];
        int depth = 0, links = 0, r;
        size_t cap = strlen(path) + 1;
        char *rest = malloc(cap);
        if (!rest)
                return -ENOMEM;
        memcpy(rest, path, cap);

        stack[0] = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (stack[0] < 0) {
                free(rest);
                return -errno;
        }
        char *p = rest;
        for (;;) {
                while (*p == '/')
                        p++;
                if (!*p) {
                        /* The path names a directory we are standing in. */
                        r = openat(stack[depth], ".", flags | O_CLOEXEC);
                        r = r < 0 ? -errno : r;
                        goto out;
                }
                char *end = strchrnul(p, '/');
                size_t len = (size_t)(end - p);
                char comp[NAME_MAX + 1];
                if (len > NAME_MAX) {
                        r = -ENAMETOOLONG;
                        goto out;
                }
                memcpy(comp, p, len);
                comp[len] = '\0';
                p = end;
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        if (depth > 0)
                                close(stack[depth--]);
                        continue;
                }
                const char *q = p;
                while (*q == '/')
                        q++;
                bool last = *q == '\0';
                int fd = openat(stack[depth], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                        r = -errno;
                        goto out;
                }
                struct stat st;
                if (fstat(fd, &st) < 0) {
                        r = -errno;
                        close(fd);
                        goto out;
                }
                if (S_ISLNK(st.st_mode)) {
                        char target[4096];
                        ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
                        close(fd);
                        if (n < 0) {
                                r = -errno;
                                goto out;
                        }
                        if (++links > MAX_SYMLINKS) {
                                r = -ELOOP;
                                goto out;
                        }
                        target[n] = '\0';
                        if (target[0] == '/')
                                while (depth > 0)
                                        close(stack[depth--]);
                        size_t tl = (size_t)n, rl = strlen(p);
                        char *nrest = malloc(tl + rl + 2);
                        if (!nrest) {
                                r = -ENOMEM;
                                goto out;
                        }
                        memcpy(nrest, target, tl);
                        nrest[tl] = '/';
                        memcpy(nrest + tl + 1, p, rl + 1);
                        free(rest);
                        rest = p = nrest;
                        continue;
                }
                if (last && !S_ISDIR(st.st_mode)) {
                        close(fd);
                        /* O_NOFOLLOW: if the name became a symlink since, this fails. */
                        r = openat(stack[depth], comp, flags | O_NOFOLLOW | O_CLOEXEC);
                        r = r < 0 ? -errno : r;
                        goto out;
                }
                if (!S_ISDIR(st.st_mode)) {
                        close(fd);
                        r = -ENOTDIR;
                        goto out;
                }
                if (depth + 1 >= MAX_DEPTH) {
                        close(fd);
                        r = -ENAMETOOLONG;
                        goto out;
                }
                stack[++depth] = fd;
        }
out:
        while (depth >= 0)
                close(stack[depth--]);
        free(rest);
        return r;
}

int rootfs_openat(const struct rootfs *r, const char *path, int flags)
{
        while (*path == '/')
                path++;
        if (!*path)
                path = ".";
        if (use_openat2(r->fd)) {
                int fd = sys_openat2(r->fd, path, flags | O_CLOEXEC);
                /* The sandbox (host/base/sandbox.c) answers ENOSYS: from then on every open
                 * is a plain openat whose flags its filter can see. */
                if (fd != -ENOSYS)
                        return fd;
                have_openat2 = 0;
        }
        return resolve_fallback(r->fd, path, flags);
}

int rootfs_open_root(const char *path, struct rootfs *ret)
{
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ret->fd = fd;
        ret->procfs = 0; /* not looked at yet (host/base/procfs.c) */
        size_t n = strlen(path);
        if (n >= sizeof(ret->path))
                n = sizeof(ret->path) - 1;
        memcpy(ret->path, path, n);
        ret->path[n] = '\0';
        return 0;
}

int rootfs_open_subroot(const struct rootfs *parent, const char *rel, struct rootfs *ret)
{
        int fd = rootfs_openat(parent, rel, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return fd;
        ret->fd = fd;
        ret->procfs = 0;
        _cleanup_free_ char *p = path_join(parent->path, rel);
        size_t n = strlen(p);
        if (n >= sizeof(ret->path))
                n = sizeof(ret->path) - 1;
        memcpy(ret->path, p, n);
        ret->path[n] = '\0';
        return 0;
}

void rootfs_close(struct rootfs *r)
{
        if (r && r->fd >= 0) {
                close(r->fd);
                r->fd = -1;
        }
}

static int open_regular_once(const struct rootfs *r, const char *path, struct stat *ret_st)
{
        struct stat a, b;
        /* Look first through O_PATH: opening a FIFO or device for reading could block
         * or have side effects, so only a regular file is ever opened for real. */
        int pfd = rootfs_openat(r, path, O_PATH);
        if (pfd < 0)
                return pfd;
        int e = fstat(pfd, &a) < 0 ? -errno : 0;
        close(pfd);
        if (e < 0)
                return e;
        if (S_ISDIR(a.st_mode))
                return -EISDIR;
        if (!S_ISREG(a.st_mode))
                return -EINVAL;
        int fd = rootfs_openat(r, path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return fd;
        /* Replaced between the look and the open: another regular file (a config
         * renamed over the old one) is simply the newer version and is read; anything
         * else sends the caller back to look again. */
        if (fstat(fd, &b) < 0 || !S_ISREG(b.st_mode)) {
                close(fd);
                return -ESTALE;
        }
        if (ret_st)
                *ret_st = b;
        return fd;
}

/* A path whose regular file became something else between the look and the open
 * is looked at again; only a path that keeps changing kind is an error. A file
 * replaced by another regular file (a config written the safe way, by rename(2),
 * while nodeward reads it) never needs a second look. */
#define OPEN_REGULAR_TRIES 8

int rootfs_open_regular(const struct rootfs *r, const char *path, struct stat *ret_st)
{
        int fd = -ESTALE;
        for (int i = 0; i < OPEN_REGULAR_TRIES && fd == -ESTALE; i++)
                fd = open_regular_once(r, path, ret_st);
        return fd;
}

int read_fd_capped(int fd, size_t cap, char **ret_buf, size_t *ret_len)
{
        size_t size = 4096, len = 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len == size) {
                        if (size > cap) {
                                free(buf);
                                return -EFBIG;
                        }
                        size_t nsize = size * 2 > cap + 1 ? cap + 1 : size * 2;
                        char *nb = realloc(buf, nsize + 1);
                        if (!nb) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nb;
                        size = nsize;
                }
                ssize_t n = read(fd, buf + len, size - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = -errno;
                        free(buf);
                        return e;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len > cap) {
                        free(buf);
                        return -EFBIG;
                }
        }
        buf[len] = '\0';
        *ret_buf = buf;
        *ret_len = len;
        return 0;
}

int rootfs_read_file(const struct rootfs *r, const char *path, size_t cap, char **ret_buf, size_t *ret_len,
                     struct stat *ret_st)
{
        struct stat st;
        int fd = rootfs_open_regular(r, path, &st);
        if (fd < 0)
                return fd;
        if (st.st_size > 0 && (unsigned long long)st.st_size > cap) {
                close(fd);
                return -EFBIG;
        }
        char *buf;
        size_t len;
        int e = read_fd_capped(fd, cap, &buf, &len);
        close(fd);
        if (e < 0)
                return e;
        *ret_buf = buf;
        if (ret_len)
                *ret_len = len;
        if (ret_st)
                *ret_st = st;
        return 0;
}

int rootfs_stat(const struct rootfs *r, const char *path, struct stat *ret_st)
{
        int fd = rootfs_openat(r, path, O_PATH);
        if (fd < 0)
                return fd;
        int e = fstat(fd, ret_st) < 0 ? -errno : 0;
        close(fd);
        return e;
}

int rootfs_readlink(const struct rootfs *r, const char *path, char *buf, size_t size)
{
        char dir[4096];
        const char *slash = strrchr(path, '/');
        const char *name = slash ? slash + 1 : path;
        if (!*name || size < 2)
                return -EINVAL;
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
        int dfd = rootfs_openat(r, dir, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        ssize_t n = readlinkat(dfd, name, buf, size - 1);
        int e = n < 0 ? -errno : 0;
        close(dfd);
        if (e < 0)
                return e;
        buf[n] = '\0';
        return 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_free(char **v, size_t n)
{
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int rootfs_list_dir(const struct rootfs *r, const char *path, size_t max, char ***ret_names, size_t *ret_n)
{
        int fd = rootfs_openat(r, path, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return fd;
        return rootfs_list_fd(fd, max, ret_names, ret_n);
}

int rootfs_list_fd(int fd, size_t max, char ***ret_names, size_t *ret_n)
{
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = -errno;
                close(fd);
                return e;
        }
        char **names = NULL;
        size_t n = 0, cap = 0;
        int e = 0;
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n == max) {
                        e = -E2BIG;
                        break;
                }
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        char **nn = realloc(names, cap * sizeof(*names));
                        if (!nn) {
                                e = -ENOMEM;
                                break;
                        }
                        names = nn;
                }
                if (!(names[n] = strdup(de->d_name))) {
                        e = -ENOMEM;
                        break;
                }
                n++;
        }
        closedir(d);
        if (e < 0) {
                strv_free(names, n);
                return e;
        }
        if (n) /* an empty directory has no array at all */
                qsort(names, n, sizeof(*names), cmp_str);
        *ret_names = names;
        *ret_n = n;
        return 0;
}

const char *rootfs_strerror(int negerr)
{
        switch (-negerr) {
        case EFBIG: return "file larger than nodeward's read cap for it";
        case EINVAL: return "not a regular file";
        case ELOOP: return "too many levels of symbolic links";
        case EXDEV: return "path escapes the root";
        case ESTALE: return "file changed while it was opened";
        case E2BIG: return "too many entries";
        default: return strerror(-negerr);
        }
}
