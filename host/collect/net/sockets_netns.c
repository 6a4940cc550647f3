/* sockets_netns: open netlink handles inside a network namespace without moving the process into it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "base/procfs.h"
#include "collect/net/sockets.h"
#include "base/util.h"

void netns_close_handles(struct netns_handles *h)
{
        if (!h)
                return;
        int *fds[] = {&h->diag, &h->route, &h->inet};
        for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
                if (*fds[i] >= 0) {
                        close(*fds[i]);
                        *fds[i] = -1;
                }
        free(h->fallback);
        h->fallback = NULL;
}

static int open_here(struct netns_handles *h)
{
        h->diag = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        h->route = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        h->inet = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (h->diag < 0 || h->route < 0 || h->inet < 0) {
                int e = -errno;
                netns_close_handles(h);
                return e;
        }
        /* A dump always ends with DONE; should a kernel never send it, a bounded
         * wait turns a hang into an error. */
        struct timeval tv = {.tv_sec = 10};
        setsockopt(h->diag, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(h->route, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        return 0;
}

struct enter_job {
        int nsfd;
        struct netns_handles h;
        int err;
};

/* Only this thread changes namespace; sockets keep the namespace they were
 * created in, so the handles outlive the thread. */
static void *enter_and_open(void *p)
{
        struct enter_job *j = p;
        j->err = setns(j->nsfd, CLONE_NEWNET) < 0 ? -errno : open_here(&j->h);
        return NULL;
}

static int open_ns(const char *netns_path, const struct rootfs *proc, char **ret_what)
{
        int fd = -1, r;
        if (netns_path) {
                *ret_what = xstrdup(netns_path);
                r = nsfs_open_path(netns_path, CLONE_NEWNET, &fd);
        } else if (proc) {
                *ret_what = path_join(proc->path, "1/ns/net");
                r = procfs_open_ns(proc, "1/ns/net", CLONE_NEWNET, &fd);
        } else {
                *ret_what = xstrdup("/proc/self/ns/net");
                r = nsfs_open_path("/proc/self/ns/net", CLONE_NEWNET, &fd);
        }
        return r < 0 ? r : fd;
}

int netns_open_handles(const char *netns_path, const struct rootfs *proc, struct netns_handles *ret, char **ret_what,
                       char **ret_err)
{
        char *what = NULL, *fallback = NULL;
        int nsfd = open_ns(netns_path, proc, &what);
        if (!netns_path && proc && (nsfd == -EACCES || nsfd == -EPERM)) {
                /* PID 1 is out of reach (a sandbox, or no ptrace access): nodeward
                 * then reads where it was started, which on a node is usually the
                 * host; the evidence says so, since in a pod it is not. */
                fallback = xasprintf("read in nodeward's own network namespace: %s: %s", what, strerror(-nsfd));
                free(what);
                nsfd = open_ns(NULL, NULL, &what);
        }
        if (nsfd < 0) {
                *ret_err = xasprintf("%s: %s", what, nsfd == -ENOTSUP ? "not a network namespace" : strerror(-nsfd));
                free(what);
                free(fallback);
                return nsfd;
        }
        struct stat a, b;
        struct enter_job j = {.nsfd = nsfd, .h = {-1, -1, -1, NULL}};
        if (fstat(nsfd, &a) == 0 && stat("/proc/self/ns/net", &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
                j.err = open_here(&j.h); /* already there: no privilege needed */
        } else {
                pthread_t t;
                int e = pthread_create(&t, NULL, enter_and_open, &j);
                if (e == 0)
                        pthread_join(t, NULL);
                else
                        j.err = -e;
        }
        close(nsfd);
        if (j.err < 0) {
                *ret_err = xasprintf("%s: entering the network namespace: %s", what, strerror(-j.err));
                free(what);
                free(fallback);
                return j.err;
        }
        *ret_what = what;
        j.h.fallback = fallback;
        *ret = j.h;
        return 0;
}
