/* textfile: replace a file atomically (temp file in the same directory, fsync, rename), as node_exporter's textfile collector needs. */
#define _GNU_SOURCE
#include "base/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

static char *dir_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                return xstrdup(".");
        if (slash == path)
                return xstrdup("/");
        return xasprintf("%.*s", (int)(slash - path), path);
}

/* mkostemp(3) inside @dirfd: a new file, O_EXCL, never a link followed. */
static int create_temp(int dirfd, const char *base, char **ret_name)
{
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int tries = 0; tries < 100; tries++) {
                unsigned char rnd[6];
                if (getentropy(rnd, sizeof(rnd)) < 0)
                        return -errno;
                char suffix[7];
                for (size_t i = 0; i < sizeof(rnd); i++)
                        suffix[i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
                suffix[6] = '\0';
                char *name = xasprintf(".%s.%s", base, suffix);
                int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
                if (fd >= 0) {
                        *ret_name = name;
                        return fd;
                }
                int e = -errno;
                free(name);
                if (e != -EEXIST)
                        return e;
        }
        return -EEXIST;
}

int textfile_begin(const char *path, struct textfile *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->dirfd = -1;
        const char *base = path_basename(path);
        if (!*base)
                return -EISDIR;
        _cleanup_free_ char *dir = dir_of(path);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        char *tmp = NULL;
        int fd = create_temp(dfd, base, &tmp);
        if (fd < 0) {
                close(dfd);
                return fd;
        }
        /* Readable by the exporter whatever our umask, like a file it would expect. */
        FILE *f = fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
                int e = -errno;
                close(fd);
                unlinkat(dfd, tmp, 0);
                close(dfd);
                free(tmp);
                return e;
        }
        ret->path = xstrdup(path);
        ret->tmp_path = tmp;
        ret->f = f;
        ret->dirfd = dfd;
        return 0;
}

int textfile_commit(struct textfile *tf)
{
        int r = 0;
        if (fflush(tf->f) != 0 || fsync(fileno(tf->f)) < 0)
                r = -errno;
        if (fclose(tf->f) != 0 && r == 0)
                r = -errno;
        tf->f = NULL;
        if (r == 0 && renameat(tf->dirfd, tf->tmp_path, tf->dirfd, path_basename(tf->path)) < 0)
                r = -errno;
        if (r == 0) {
                /* The rename is durable only once the directory is on disk too. */
                fsync(tf->dirfd);
                free(tf->tmp_path);
                tf->tmp_path = NULL;
        }
        textfile_abort(tf);
        return r;
}

void textfile_abort(struct textfile *tf)
{
        if (tf->f)
                fclose(tf->f);
        if (tf->tmp_path && tf->dirfd >= 0)
                unlinkat(tf->dirfd, tf->tmp_path, 0);
        if (tf->path && tf->dirfd >= 0)
                close(tf->dirfd);
        free(tf->tmp_path);
        free(tf->path);
        memset(tf, 0, sizeof(*tf));
        tf->dirfd = -1;
}
