/* sockets_netns: open netlink handles inside a network namespace without moving the process into it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "sockets.h"
#include "util.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

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

/* An O_PATH fd that must be a network namespace becomes a readable one. The
 * O_PATH look first means a FIFO or device planted in a root is never opened. */
static int ns_fd_from_path_fd(int pfd)
{
        struct statfs sf;
        if (fstatfs(pfd, &sf) < 0)
                return -errno;
        if (sf.f_type != NSFS_MAGIC)
                return -EINVAL;
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
        int fd = open(self, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
                close(fd);
                return -EINVAL;
        }
        return fd;
}

static int open_ns(const char *netns_path, const struct rootfs *proc, char **ret_what)
{
        int pfd;
        if (netns_path) {
                *ret_what = xstrdup(netns_path);
                pfd = open(netns_path, O_PATH | O_CLOEXEC);
                pfd = pfd < 0 ? -errno : pfd;
        } else if (proc) {
                *ret_what = path_join(proc->path, "1/ns/net");
                int dfd = rootfs_openat(proc, "1/ns", O_PATH | O_DIRECTORY);
                if (dfd < 0)
                        return dfd;
                /* ns/net is a kernel "magic" link, so it must be followed; only a real
                 * procfs makes those, so a link planted in a root is never followed. */
                struct statfs sf;
                if (fstatfs(dfd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC) {
                        close(dfd);
                        return -EMEDIUMTYPE;
                }
                pfd = openat(dfd, "net", O_PATH | O_CLOEXEC);
                pfd = pfd < 0 ? -errno : pfd;
                close(dfd);
        } else {
                *ret_what = xstrdup("/proc/self/ns/net");
                pfd = open("/proc/self/ns/net", O_PATH | O_CLOEXEC);
                pfd = pfd < 0 ? -errno : pfd;
        }
        if (pfd < 0)
                return pfd;
        int fd = ns_fd_from_path_fd(pfd);
        close(pfd);
        return fd;
}

int netns_open_handles(const char *netns_path, const struct rootfs *proc, struct netns_handles *ret,
                       char **ret_what, char **ret_err)
{
        char *what = NULL;
        int nsfd = open_ns(netns_path, proc, &what);
        if (!netns_path && proc && (nsfd == -EACCES || nsfd == -EPERM)) {
                /* PID 1 is out of reach (a sandbox, or no ptrace access): nodeward
                 * then runs where it was started, which on a node is the host. */
                free(what);
                nsfd = open_ns(NULL, NULL, &what);
        }
        if (nsfd < 0) {
                *ret_err = xasprintf("%s: %s", what,
                                     nsfd == -EINVAL        ? "not a network namespace"
                                     : nsfd == -EMEDIUMTYPE ? "not on a procfs, so no namespace to enter"
                                                            : strerror(-nsfd));
                free(what);
                return nsfd;
        }
        struct stat a, b;
        struct enter_job j = {.nsfd = nsfd, .h = {-1, -1, -1}};
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
                return j.err;
        }
        *ret_what = what;
        *ret = j.h;
        return 0;
}
