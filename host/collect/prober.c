/* prober: a process that keeps only what entering network namespaces needs, so a watch that holds
 * no such capability still probes from a pod network namespace that appears after it started.
 *
 * The watch forks it before dropping its own capabilities. It answers on a socket pair:
 * one request byte, then a reply of a status word, a length and the probes' answers
 * (probe_wire.h). It parses nothing from the network itself: as in every run, each
 * probe runs in a child that enters the namespace, becomes nobody and drops every
 * capability before it opens a socket, and hands back flat results. It exits when the
 * watch closes its end or dies. */
#include "collect/prober.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/netns.h"
#include "base/privs.h"
#include "base/procfs.h"
#include "base/util.h"

#define REQ_NOW 'N'
#define REQ_IF_NEW_POD 'P'

enum reply_kind {
        REPLY_UNCHANGED = 0,
        REPLY_ANSWERS = 1,
        REPLY_ERROR = 2,
        REPLY_READY = 3
};

struct reply_head {
        uint32_t kind;
        uint32_t len;
};

struct prober {
        int fd;
        pid_t pid;
};

/* The probe needs a watch can hand over: the metadata, SSH and live kubelet probes. */
#define PROBER_NEEDS (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH | FACT_KUBELET_LIVE)

static int write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EPIPE;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* Read exactly @n bytes before @until (mono_ms; 0: no limit). */
static int read_all(int fd, void *buf, size_t n, long long until)
{
        char *p = buf;
        while (n > 0) {
                if (until) {
                        int r = fd_wait(fd, POLLIN, until);
                        if (r < 0)
                                return r;
                }
                ssize_t got = read(fd, p, n);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0)
                        return got < 0 ? -errno : -EPIPE;
                p += got;
                n -= (size_t)got;
        }
        return 0;
}

static int send_reply(int fd, enum reply_kind kind, const char *body, size_t len)
{
        struct reply_head h = {.kind = kind, .len = (uint32_t)len};
        int r = write_all(fd, &h, sizeof(h));
        return r < 0 || len == 0 ? r : write_all(fd, body, len);
}

/* Which pod namespace a run would probe from now: its device and inode; false when none. */
static bool pod_identity(const struct rootfs *root, const struct rootfs *proc, const char *pod_netns, dev_t *ret_dev,
                         ino_t *ret_ino)
{
        struct netns_plan plan;
        netns_plan_make(root, proc, pod_netns, &plan);
        struct stat st;
        bool have = plan.have_pod && (plan.pod_fd >= 0 ? fstat(plan.pod_fd, &st) : stat("/proc/self/ns/net", &st)) == 0;
        if (have) {
                *ret_dev = st.st_dev;
                *ret_ino = st.st_ino;
        }
        netns_plan_free(&plan);
        return have;
}

static void answer(int fd, const struct collect_opts *co)
{
        struct collect_opts o = {.root = co->root,
                                 .proc = co->proc,
                                 .pod_netns = co->pod_netns,
                                 .netns = co->netns,
                                 .probe = co->probe,
                                 .needs = co->needs & PROBER_NEEDS};
        struct facts f;
        char *err = NULL;
        if (facts_collect(&o, &f, &err) < 0) {
                send_reply(fd, REPLY_ERROR, err, strlen(err));
                free(err);
                return;
        }
        struct probe_answers a = {.imds = f.imds, .klive = f.klive, .probes_off = f.probes_off};
        char *buf = NULL;
        size_t len = 0;
        int r = probe_wire_encode(&a, &buf, &len);
        if (r < 0) {
                const char *m = "the probes' answers are larger than a message";
                send_reply(fd, REPLY_ERROR, m, strlen(m));
        } else {
                send_reply(fd, REPLY_ANSWERS, buf, len);
        }
        free(buf);
        facts_free(&f);
}

static _Noreturn void prober_main(int fd, const struct collect_opts *co, pid_t parent)
{
        /* Never outlive the watch, even when it is killed. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(0);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_IGN); /* ^C reaches the whole group: the watch decides */
        char *err = NULL;
        if (privs_drop_to_prober(&err) < 0) {
                char *m = xasprintf("could not drop to the prober's capabilities: %s", err);
                send_reply(fd, REPLY_ERROR, m, strlen(m));
                _exit(3);
        }
        struct rootfs root = {.fd = -1}, proc = {.fd = -1};
        const char *rootp = co->root && *co->root ? co->root : "/";
        if (rootfs_open_root(rootp, &root) == 0)
                (void)(co->proc ? procfs_open_root(co->proc, &proc) : procfs_open_subroot(&root, "proc", &proc));
        send_reply(fd, REPLY_READY, NULL, 0);
        bool probed = false, had_pod = false;
        dev_t last_dev = 0;
        ino_t last_ino = 0;
        for (;;) {
                char req;
                if (read_all(fd, &req, 1, 0) < 0)
                        _exit(0);
                dev_t dev = 0;
                ino_t ino = 0;
                bool have = root.fd >= 0 && pod_identity(&root, &proc, co->pod_netns, &dev, &ino);
                bool same = have && had_pod && dev == last_dev && ino == last_ino;
                if (req == REQ_IF_NEW_POD && probed && (!have || same)) {
                        if (send_reply(fd, REPLY_UNCHANGED, NULL, 0) < 0)
                                _exit(0);
                        continue;
                }
                probed = true;
                had_pod = have;
                last_dev = dev;
                last_ino = ino;
                answer(fd, co);
        }
}

/* Give the prober up: it exits on the closed channel (or with the watch, by its
 * death signal); a watch past its seccomp filter may reap but not signal. */
static void prober_drop(struct prober *p)
{
        if (p->fd >= 0)
                close(p->fd);
        p->fd = -1;
        if (p->pid > 0)
                waitpid(p->pid, NULL, WNOHANG);
        p->pid = -1;
}

int prober_start(const struct collect_opts *co, struct prober **ret, char **ret_err)
{
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                int e = -errno;
                *ret_err = xasprintf("socketpair: %s", strerror(-e));
                return e;
        }
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                int e = -errno;
                close(sv[0]);
                close(sv[1]);
                *ret_err = xasprintf("fork: %s", strerror(-e));
                return e;
        }
        if (pid == 0) {
                close(sv[0]);
                prober_main(sv[1], co, parent);
        }
        close(sv[1]);
        struct prober *p = xcalloc(1, sizeof(*p));
        p->fd = sv[0];
        p->pid = pid;
        struct reply_head h;
        int r = read_all(p->fd, &h, sizeof(h), mono_ms() + 10000);
        if (r == 0 && h.kind != REPLY_READY) {
                char msg[512] = "";
                size_t n = h.len < sizeof(msg) - 1 ? h.len : sizeof(msg) - 1;
                if (read_all(p->fd, msg, n, mono_ms() + 1000) == 0)
                        msg[n] = '\0';
                *ret_err = xstrdup(*msg ? msg : "the prober did not start");
                prober_drop(p);
                free(p);
                return -EPERM;
        }
        if (r < 0) {
                *ret_err = xasprintf("the prober did not start: %s", strerror(-r));
                kill(p->pid, SIGKILL); /* still privileged here: a stuck prober goes */
                prober_drop(p);
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

int prober_ask(struct prober *p, enum prober_when when, int timeout_ms, struct probe_answers *ret)
{
        if (!p || p->fd < 0)
                return -EPIPE;
        char req = when == PROBER_NOW ? REQ_NOW : REQ_IF_NEW_POD;
        long long until = mono_ms() + timeout_ms;
        struct reply_head h;
        int r = write_all(p->fd, &req, 1);
        if (r == 0)
                r = read_all(p->fd, &h, sizeof(h), until);
        if (r == 0 && h.len > PROBE_WIRE_MAX)
                r = -EBADMSG;
        char *body = NULL;
        if (r == 0 && h.len) {
                body = xmalloc(h.len);
                r = read_all(p->fd, body, h.len, until);
        }
        if (r == 0 && h.kind == REPLY_ANSWERS)
                r = probe_wire_decode(body, h.len, ret) == 0 ? 1 : -EBADMSG;
        else if (r == 0 && h.kind == REPLY_ERROR)
                r = -EIO; /* facts_collect could not open the root: the probes cannot run */
        else if (r == 0 && h.kind != REPLY_UNCHANGED)
                r = -EBADMSG;
        free(body);
        if (r < 0 && r != -EIO)
                prober_drop(p); /* a late answer would be read as the next one's */
        return r;
}

int prober_pid(const struct prober *p)
{
        return p && p->pid > 0 ? (int)p->pid : -1;
}

void prober_stop(struct prober *p)
{
        if (!p)
                return;
        if (p->fd >= 0) {
                close(p->fd); /* the prober reads EOF and exits */
                p->fd = -1;
        }
        /* Reaped when it is done within a moment; otherwise its death signal ends it
         * when the watch exits. */
        for (int i = 0; p->pid > 0 && i < 100; i++) {
                if (waitpid(p->pid, NULL, WNOHANG) != 0)
                        p->pid = -1;
                else
                        nanosleep(&(struct timespec){.tv_nsec = 10 * 1000000}, NULL);
        }
        free(p);
}
