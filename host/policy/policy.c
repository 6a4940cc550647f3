/* policy: the operator's approvals, and the registry allowlist file they come from. */
#define _GNU_SOURCE
#include "policy/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/allowlist.h"
#include "base/rootfs.h"
#include "base/util.h"

void policy_free(struct policy *p)
{
        if (!p)
                return;
        if (p->allow_listeners)
                strv_free(p->allow_listeners, p->n_allow_listeners);
        if (p->allow_registries)
                strv_free(p->allow_registries, p->n_allow_registries);
        memset(p, 0, sizeof(*p));
}

/* The operator's own file, named on the command line (not a host file under --root): still only
 * a regular file is read, capped, and a FIFO cannot hang the run. */
int containerd_allowlist_load(const char *path, char ***v, size_t *n, char **ret_err)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        struct stat st;
        char *buf = NULL;
        size_t len = 0;
        int r = fd < 0 ? -errno : fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : 0;
        if (r == 0)
                r = read_fd_capped(fd, ALLOWLIST_FILE_CAP, &buf, &len);
        if (fd >= 0)
                close(fd);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", path, r == -EINVAL ? "not a regular file" : rootfs_strerror(r));
                return r;
        }
        unsigned no = 0;
        for (char *line = buf, *next; line && r == 0; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                no++;
                line[strcspn(line, "#\r")] = '\0';
                char *e = line + strspn(line, " \t");
                size_t k = strlen(e);
                while (k && (e[k - 1] == ' ' || e[k - 1] == '\t'))
                        e[--k] = '\0';
                if (!*e)
                        continue;
                if (strpbrk(e, " \t/") || strstr(e, "://") || *n >= ALLOWLIST_MAX) {
                        *ret_err = xasprintf("%s line %u: expected a registry host[:port] or a glob of one "
                                             "(e.g. *.dkr.ecr.*.amazonaws.com), got \"%s\"",
                                             path, no, e);
                        r = -EINVAL;
                        break;
                }
                *v = xrealloc(*v, (*n + 1) * sizeof(**v));
                (*v)[(*n)++] = xstrdup(e);
        }
        free(buf);
        return r;
}
