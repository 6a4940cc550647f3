/* textfile: replace a file atomically (temp file in the same directory, fsync, rename), as node_exporter's textfile collector needs. */
#define _GNU_SOURCE
#include "textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static char *dir_of(const char *path)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                return xstrdup(".");
        if (slash == path)
                return xstrdup("/");
        return xasprintf("%.*s", (int)(slash - path), path);
}

int textfile_begin(const char *path, struct textfile *ret)
{
        memset(ret, 0, sizeof(*ret));
        const char *base = path_basename(path);
        if (!*base)
                return -EISDIR;
        _cleanup_free_ char *dir = dir_of(path);
        char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0) {
                int e = -errno;
                free(tmp);
                return e;
        }
        /* Readable by the exporter whatever our umask, like a file it would expect. */
        FILE *f = fchmod(fd, 0644) == 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
                int e = -errno;
                close(fd);
                unlink(tmp);
                free(tmp);
                return e;
        }
        ret->path = xstrdup(path);
        ret->tmp_path = tmp;
        ret->f = f;
        return 0;
}

static int fsync_dir(const char *path)
{
        _cleanup_free_ char *dir = dir_of(path);
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
                return -errno;
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
        if (r == 0 && rename(tf->tmp_path, tf->path) < 0)
                r = -errno;
        if (r == 0) {
                /* The rename is durable only once the directory is on disk too. */
                fsync_dir(tf->path);
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
        if (tf->tmp_path)
                unlink(tf->tmp_path);
        free(tf->tmp_path);
        free(tf->path);
        memset(tf, 0, sizeof(*tf));
}
