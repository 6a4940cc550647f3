/* allowlist: the operator's PROC:PORT listener allowlist, from options and from a file. */
#define _GNU_SOURCE
#include "policy/allowlist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/rootfs.h"
#include "base/util.h"

bool allowlist_entry_valid(const char *s)
{
        const char *colon = strrchr(s, ':');
        if (!colon || colon == s || strlen(s) > 256)
                return false;
        for (const char *p = s; p < colon; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f)
                        return false;
        if (strcmp(colon + 1, "*") == 0)
                return true;
        char *end = NULL;
        errno = 0;
        unsigned long port = strtoul(colon + 1, &end, 10);
        return colon[1] >= '0' && colon[1] <= '9' && !*end && !errno && port <= 65535;
}

/* The file is the operator's own (a ConfigMap, say), named on the command line,
 * not a host file under --root; still only a regular file is read, capped. */
static int read_config(const char *path, char **ret_buf)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return -EINVAL;
        }
        size_t len;
        int r = read_fd_capped(fd, ALLOWLIST_FILE_CAP, ret_buf, &len);
        close(fd);
        return r;
}

int allowlist_parse(char *buf, const char *name, char ***v, size_t *n, char **ret_err)
{
        unsigned line = 0;
        /* Line by line, blank ones counted: an error names the line an editor shows. */
        for (char *l = buf, *next; l; l = next) {
                next = strchr(l, '\n');
                if (next)
                        *next++ = '\0';
                line++;
                l[strcspn(l, "#")] = '\0';
                while (*l == ' ' || *l == '\t')
                        l++;
                size_t k = strlen(l);
                while (k && (l[k - 1] == ' ' || l[k - 1] == '\t' || l[k - 1] == '\r'))
                        l[--k] = '\0';
                if (!*l)
                        continue;
                if (!allowlist_entry_valid(l) || *n >= ALLOWLIST_MAX) {
                        *ret_err = xasprintf("%s line %u: expected PROC:PORT (e.g. nginx:8080), got \"%s\"", name, line,
                                             l);
                        return -EINVAL;
                }
                *v = xrealloc(*v, (*n + 1) * sizeof(**v));
                (*v)[(*n)++] = xstrdup(l);
        }
        return 0;
}

int allowlist_load_file(const char *path, char ***v, size_t *n, char **ret_err)
{
        char *buf = NULL;
        int r = read_config(path, &buf);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", path, r == -EINVAL ? "not a regular file" : rootfs_strerror(r));
                return r;
        }
        r = allowlist_parse(buf, path, v, n, ret_err);
        free(buf);
        return r;
}
