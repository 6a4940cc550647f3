/* netns: run probes in child processes, each inside a chosen network namespace, and find a pod's namespace. */
#define _GNU_SOURCE
#include "base/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/privs.h"
#include "base/proc.h"
#include "base/procfs.h"
#include "base/util.h"

/* The child gives up everything before its probe reads a byte from the network:
 * uid and gid nobody where it may change them (not in a pod granted no CAP_SETUID,
 * where uid 0 stays but holds nothing), then every capability. The probe only
 * opens a socket in the namespace it is in. A drop that fails fails the probe. */
static int job_drop(void)
{
        if (geteuid() == 0) {
                const uid_t nobody = 65534;
                if (setgroups(0, NULL) == 0 && setresgid(nobody, nobody, nobody) == 0 &&
                    setresuid(nobody, nobody, nobody) < 0)
                        return -errno; /* gid changed but uid refused: stop there */
                if (geteuid() == 0 && errno != EPERM)
                        return -errno;
        }
        return privs_drop_all(NULL);
}

/* The child: enter the namespace, drop, probe, send "int32 status + result" down @wfd. */
static void __attribute__((noreturn)) job_child(struct ns_job *j, int wfd)
{
        int32_t st = 0;
        if (j->ns_fd >= 0 && setns(j->ns_fd, CLONE_NEWNET) < 0)
                st = -errno;
        if (st == 0)
                st = job_drop();
        memset(j->out, 0, j->out_size);
        if (st == 0)
                j->fn(j->arg, j->out);
        struct iovec iov[2] = {{&st, sizeof(st)}, {j->out, st == 0 ? j->out_size : 0}};
        ssize_t w = writev(wfd, iov, 2);
        _exit(w < 0 ? 1 : 0);
}

struct job_slot {
        pid_t pid;
        int rfd;
        size_t got;
        char *buf;
};

static void slot_read(struct ns_job *j, struct job_slot *s)
{
        size_t want = sizeof(int32_t) + j->out_size;
        ssize_t n = read(s->rfd, s->buf + s->got, want - s->got);
        if (n > 0) {
                s->got += (size_t)n;
                if (s->got < want && !(s->got >= sizeof(int32_t) && *(int32_t *)s->buf != 0))
                        return;
        } else if (n < 0 && errno == EINTR) {
                return;
        }
        int32_t st = -EPIPE;
        if (s->got >= sizeof(st))
                memcpy(&st, s->buf, sizeof(st));
        if (st == 0 && s->got == want) {
                memcpy(j->out, s->buf + sizeof(st), j->out_size);
                if (j->check)
                        j->check(j->out);
        } else if (st == 0)
                st = -EPIPE; /* the child died before reporting */
        j->err = st;
        close(s->rfd);
        s->rfd = -1;
}

void ns_jobs_run(struct ns_job *jobs, size_t n, int deadline_ms)
{
        struct job_slot *slots = xcalloc(n, sizeof(*slots));
        long long deadline = mono_ms() + deadline_ms;
        for (size_t i = 0; i < n; i++) {
                int p[2];
                slots[i].rfd = -1;
                jobs[i].err = -ETIMEDOUT;
                if (pipe2(p, O_CLOEXEC) < 0) {
                        jobs[i].err = -errno;
                        continue;
                }
                fflush(NULL);
                pid_t pid = fork();
                if (pid == 0) {
                        close(p[0]);
                        job_child(&jobs[i], p[1]);
                }
                close(p[1]);
                if (pid < 0) {
                        jobs[i].err = -errno;
                        close(p[0]);
                        continue;
                }
                slots[i] = (struct job_slot){pid, p[0], 0, xmalloc(sizeof(int32_t) + jobs[i].out_size)};
        }
        struct pollfd *pfd = xcalloc(n, sizeof(*pfd));
        for (;;) {
                size_t open_n = 0;
                for (size_t i = 0; i < n; i++) {
                        pfd[i] = (struct pollfd){.fd = slots[i].rfd, .events = POLLIN};
                        open_n += slots[i].rfd >= 0;
                }
                long long left = deadline - mono_ms();
                if (!open_n || left <= 0)
                        break;
                if (poll(pfd, n, (int)left) < 0 && errno != EINTR)
                        break;
                for (size_t i = 0; i < n; i++)
                        if (slots[i].rfd >= 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                slot_read(&jobs[i], &slots[i]);
        }
        for (size_t i = 0; i < n; i++) {
                if (slots[i].rfd >= 0)
                        close(slots[i].rfd);
                if (slots[i].pid > 0) {
                        kill(slots[i].pid, SIGKILL);
                        waitpid(slots[i].pid, NULL, 0);
                }
                free(slots[i].buf);
        }
        free(pfd);
        free(slots);
}

static bool same_ns(int fd, const struct stat *self)
{
        struct stat st;
        return fstat(fd, &st) == 0 && st.st_ino == self->st_ino && st.st_dev == self->st_dev;
}

/* /run/netns/cni-* under --root: the first (by name) that is not our own namespace. */
static int find_cni_netns(const struct rootfs *root, const struct stat *self, char **ret_desc)
{
        char **names = NULL;
        size_t n = 0;
        int r = rootfs_list_dir(root, "/run/netns", 4096, &names, &n);
        if (r < 0)
                return r;
        int found = -ENOENT;
        for (size_t i = 0; i < n && found < 0; i++) {
                if (!str_startswith(names[i], "cni-"))
                        continue;
                _cleanup_free_ char *p = xasprintf("/run/netns/%s", names[i]);
                /* The bind mount of an nsfs file: no magic link, so the root-confined
                 * resolver can open it. */
                int fd = rootfs_openat(root, p, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                struct statfs sf;
                if (fd < 0)
                        continue;
                if (fstatfs(fd, &sf) == 0 && sf.f_type == NSFS_MAGIC && !same_ns(fd, self)) {
                        *ret_desc = xasprintf("%s (%s)", p, "found under --root");
                        found = fd;
                } else {
                        close(fd);
                }
        }
        strv_free(names, n);
        return found;
}

int netns_find_kubepods_pid(const struct rootfs *proc, const char *host_ns_link, int *ret_pid)
{
        char **names = NULL;
        size_t n = 0;
        int r = procfs_list_dir(proc, ".", 1000000, &names, &n);
        if (r < 0)
                return r;
        int best = -1;
        for (size_t i = 0; i < n; i++) {
                pid_t pid = proc_pid_parse(names[i]);
                if (pid <= 0 || (best > 0 && pid >= best))
                        continue;
                _cleanup_free_ char *cg = NULL;
                _cleanup_free_ char *p = xasprintf("%d/cgroup", (int)pid);
                if (procfs_read_file(proc, p, 64 * 1024, &cg, NULL) < 0 || !strstr(cg, "kubepods"))
                        continue;
                char link[128];
                free(p);
                p = xasprintf("%d/ns/net", (int)pid);
                if (procfs_readlink(proc, p, link, sizeof(link)) < 0 || strcmp(link, host_ns_link) == 0)
                        continue; /* a hostNetwork pod tells nothing about pod networking */
                best = (int)pid;
        }
        strv_free(names, n);
        if (best < 0)
                return -ENOENT;
        *ret_pid = best;
        return 0;
}

static void plan_pod(const struct rootfs *root, const struct rootfs *proc, const char *host_link,
                     const struct stat *self, bool in_pod, struct netns_plan *p)
{
        int r, pid;
        if (in_pod) {
                /* Run as a pod without hostNetwork: our own namespace is the pod's view. */
                p->have_pod = true;
                p->pod_desc = xstrdup("nodeward's own network namespace (not the host's)");
                return;
        }
        if (root->fd >= 0 && (r = find_cni_netns(root, self, &p->pod_desc)) >= 0) {
                p->have_pod = true;
                p->pod_fd = r;
                return;
        }
        if (proc->fd >= 0 && host_link && netns_find_kubepods_pid(proc, host_link, &pid) == 0) {
                _cleanup_free_ char *rel = xasprintf("%d/ns/net", pid);
                r = procfs_open_ns(proc, rel, CLONE_NEWNET, &p->pod_fd);
                if (r == 0) {
                        p->have_pod = true;
                        p->pod_desc = xasprintf("network namespace of pid %d (kubepods cgroup)", pid);
                        return;
                }
        }
        p->pod_absent = xstrdup("no pod network namespace found (no --pod-netns, nodeward runs in "
                                "the host's, no /run/netns/cni-*, no process in a kubepods cgroup "
                                "outside the host namespace)");
}

/* Which namespace is the host's. A real procfs answers through pid 1's link; a
 * fixture --proc whose 1/ns/net is no namespace (a planted link, a file) is not
 * trusted: the current namespace is used and the evidence says why. */
enum host_plan {
        HOST_CURRENT,
        HOST_PID1,
        HOST_FALLBACK
};

static enum host_plan plan_host(const struct rootfs *proc, const struct stat *self, const char *self_link,
                                const char *host_link, struct netns_plan *p)
{
        int fd = -1;
        struct stat st;
        int r = procfs_open_ns(proc, "1/ns/net", CLONE_NEWNET, &fd);
        if (r == 0 && !same_ns(fd, self) && fstat(fd, &st) == 0) {
                /* Named by the inode really opened: a bind-mounted namespace file has no link text. */
                p->host_fd = fd;
                p->host_desc = xasprintf("host network namespace (net:[%lu], of pid 1)", (unsigned long)st.st_ino);
                return HOST_PID1;
        }
        if (fd >= 0)
                close(fd);
        if (r < 0 && *host_link && procfs_is_real(proc) && strcmp(self_link, host_link) != 0) {
                p->host_desc = xasprintf("host network namespace (%s, of pid 1)", host_link);
                p->host_error = xasprintf("opening the host network namespace (pid 1): %s", strerror(-r));
                return HOST_PID1;
        }
        p->host_desc = xasprintf("current network namespace (%s)", *self_link ? self_link : "?");
        /* No 1/ns/net at all is a process table without namespaces, not a fallback. */
        if (r == 0 || (r == -ENOENT && !*host_link))
                return HOST_CURRENT;
        free(p->host_desc);
        p->host_desc = xasprintf("current network namespace (%s; %s/1/ns/net not used: %s)",
                                 *self_link ? self_link : "?", proc->path,
                                 r == -ENOTSUP ? "not a network namespace" : strerror(-r));
        return HOST_FALLBACK;
}

void netns_plan_make(const struct rootfs *root, const struct rootfs *proc, const char *pod_netns, struct netns_plan *p)
{
        memset(p, 0, sizeof(*p));
        p->host_fd = p->pod_fd = -1;
        struct stat self;
        char self_link[128] = "", host_link[128] = "";
        if (stat("/proc/self/ns/net", &self) < 0)
                memset(&self, 0, sizeof(self));
        ssize_t n = readlink("/proc/self/ns/net", self_link, sizeof(self_link) - 1);
        self_link[n > 0 ? n : 0] = '\0';
        bool host_known = proc->fd >= 0 && procfs_readlink(proc, "1/ns/net", host_link, sizeof(host_link)) == 0;
        enum host_plan hp = HOST_CURRENT;
        if (proc->fd >= 0)
                hp = plan_host(proc, &self, self_link, host_link, p);
        else
                p->host_desc = xasprintf("current network namespace (%s)", *self_link ? self_link : "?");
        if (pod_netns) {
                int r = nsfs_open_path(pod_netns, CLONE_NEWNET, &p->pod_fd);
                if (r < 0)
                        p->pod_error = xasprintf("--pod-netns %s: %s", pod_netns,
                                                 r == -ENOTSUP ? "not a network namespace" : strerror(-r));
                else
                        p->pod_desc = xasprintf("%s (--pod-netns)", pod_netns);
                p->have_pod = r == 0;
                return;
        }
        /* Kubepods processes are looked for against the host's link only where the
         * link is the kernel's. */
        plan_pod(root, proc, host_known && procfs_is_real(proc) ? host_link : NULL, &self, hp == HOST_PID1, p);
        if (hp == HOST_FALLBACK && p->pod_absent) {
                /* A skip must say that the host side was assumed, not found. */
                char *why = xasprintf("%s; host side: %s", p->pod_absent, p->host_desc);
                free(p->pod_absent);
                p->pod_absent = why;
        }
}

void netns_plan_free(struct netns_plan *p)
{
        if (!p)
                return;
        if (p->host_fd >= 0)
                close(p->host_fd);
        if (p->pod_fd >= 0)
                close(p->pod_fd);
        free(p->host_desc);
        free(p->pod_desc);
        free(p->pod_absent);
        free(p->pod_error);
        free(p->host_error);
        memset(p, 0, sizeof(*p));
        p->host_fd = p->pod_fd = -1;
}
