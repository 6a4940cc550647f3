/* oplist: an operator's list file (a ConfigMap key, say), one entry a line, named on the command line. */
#include "base/oplist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rootfs.h"
#include "base/util.h"

int oplist_parse(char *buf, size_t len, const char *name, const struct oplist_spec *s, char ***v, size_t *n,
                 char **ret_err)
{
        unsigned line = 0;
        size_t off = 0, k;
        for (char *l; (l = (char *)line_next(buf, len, &off, &k));) {
                line++;
                l[k] = '\0';
                l[strcspn(l, "#")] = '\0';
                l += strspn(l, " \t");
                size_t m = strlen(l);
                while (m && strchr(" \t\r", l[m - 1]))
                        l[--m] = '\0';
                if (!*l)
                        continue;
                if (*n >= s->max || !s->valid(l)) {
                        *ret_err = xasprintf("%s line %u: expected %s, got \"%.200s\"", name, line, s->expected, l);
                        return -EINVAL;
                }
                *v = xrealloc(*v, (*n + 1) * sizeof(**v));
                (*v)[(*n)++] = xstrdup(l);
        }
        return 0;
}

int oplist_load_file(const char *path, const struct oplist_spec *s, char ***v, size_t *n, char **ret_err)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        char *buf = NULL;
        size_t len = 0;
        int r = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
        if (r == 0)
                r = read_fd_capped(fd, s->cap, &buf, &len);
        if (fd >= 0)
                close(fd);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", path, r == -EINVAL ? "not a regular file" : rootfs_strerror(r));
                return r;
        }
        r = oplist_parse(buf, len, path, s, v, n, ret_err);
        free(buf);
        return r;
}
