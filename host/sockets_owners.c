/* sockets_owners: who holds each socket (one pass over PROC/<pid>/fd), and the collection entry point. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "proc.h"
#include "procfs.h"
#include "sockets.h"
#include "util.h"

/* Inode -> listener index, open addressing; slots hold index + 1 (0 is empty). */
struct ino_map {
        uint32_t *slot;
        uint32_t mask;
};

static uint32_t ino_hash(uint32_t x)
{
        x ^= x >> 16;
        x *= 0x7feb352dU;
        x ^= x >> 15;
        return x;
}

static void ino_map_build(struct ino_map *m, const struct sockets *s)
{
        uint32_t size = 64;
        while (size < s->n * 2)
                size <<= 1;
        m->slot = xcalloc(size, sizeof(*m->slot));
        m->mask = size - 1;
        for (size_t i = 0; i < s->n; i++) {
                if (!s->v[i].inode)
                        continue;
                uint32_t h = ino_hash(s->v[i].inode) & m->mask;
                while (m->slot[h])
                        h = (h + 1) & m->mask;
                m->slot[h] = (uint32_t)i + 1;
        }
}

static long ino_map_find(const struct ino_map *m, const struct sockets *s, uint32_t ino)
{
        for (uint32_t h = ino_hash(ino) & m->mask; m->slot[h]; h = (h + 1) & m->mask)
                if (s->v[m->slot[h] - 1].inode == ino)
                        return (long)m->slot[h] - 1;
        return -1;
}

/* The scan is shared by a few worker threads: reading /proc/<pid>/fd is all
 * syscalls, and the kernel serves different processes in parallel. */
#define OWNER_THREADS_MAX 4
#define DENTS_BUF (64u * 1024u)

struct owner_scan {
        const struct rootfs *proc;
        const struct sockets *s;
        struct ino_map map;
        bool all;
        bool procfs; /* a real procfs: a short getdents means the end */
        bool *found; /* by listener; atomics */
        size_t n_found, n_wanted; /* n_found atomic */
        pid_t *pids;
        size_t n_pids, next; /* next atomic */
};

struct owner_worker {
        struct owner_scan *c;
        struct sock_owner *owners;
        size_t n, cap;
        char **comms;
        size_t n_comms;
        unsigned unreadable;
        int err;
        char *dents;
};

static const char *comm_of(struct owner_worker *w, pid_t pid)
{
        char path[32], *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof(path), "%d/comm", (int)pid);
        w->comms = xrealloc(w->comms, (w->n_comms + 1) * sizeof(*w->comms));
        if (procfs_read_file(w->c->proc, path, 4096, &buf, &len) < 0)
                buf = xstrdup("?");
        while (len && buf[len - 1] == '\n')
                buf[--len] = '\0';
        return w->comms[w->n_comms++] = buf;
}

/* "socket:[12345]" -> 12345; anything else -> 0 */
static uint32_t socket_inode(const char *lnk, ssize_t n)
{
        if (n < 10 || memcmp(lnk, "socket:[", 8) != 0 || lnk[n - 1] != ']')
                return 0;
        uint64_t v = 0;
        for (ssize_t i = 8; i < n - 1; i++) {
                if (lnk[i] < '0' || lnk[i] > '9' || v > UINT32_MAX)
                        return 0;
                v = v * 10 + (uint64_t)(lnk[i] - '0');
        }
        return v > UINT32_MAX ? 0 : (uint32_t)v;
}

static int add_owner(struct owner_worker *w, long li, pid_t pid, int fd, const char **comm)
{
        struct owner_scan *c = w->c;
        if (w->n >= SOCKETS_MAX_OWNERS)
                return -E2BIG;
        if (!*comm)
                *comm = comm_of(w, pid);
        if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 64;
                w->owners = xrealloc(w->owners, w->cap * sizeof(*w->owners));
        }
        w->owners[w->n++] = (struct sock_owner){(uint32_t)li, pid, fd, *comm};
        if (!__atomic_exchange_n(&c->found[li], true, __ATOMIC_RELAXED))
                __atomic_add_fetch(&c->n_found, 1, __ATOMIC_RELAXED);
        return 0;
}

static int scan_fd_entries(struct owner_worker *w, int dfd, pid_t pid, const char *p, long n,
                           const char **comm)
{
        struct owner_scan *c = w->c;
        for (long off = 0; off < n;) {
                const struct dirent64 *de = (const struct dirent64 *)(p + off);
                if (de->d_reclen == 0)
                        return -EIO;
                off += de->d_reclen;
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                char lnk[64];
                ssize_t ln = readlinkat(dfd, de->d_name, lnk, sizeof(lnk) - 1);
                uint32_t ino = ln > 0 ? socket_inode(lnk, ln) : 0;
                long li = ino ? ino_map_find(&c->map, c->s, ino) : -1;
                if (li < 0 || (!c->all && __atomic_load_n(&c->found[li], __ATOMIC_RELAXED)))
                        continue;
                int r = add_owner(w, li, pid, atoi(de->d_name), comm);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int scan_pid(struct owner_worker *w, pid_t pid)
{
        char path[32];
        snprintf(path, sizeof(path), "%d/fd", (int)pid);
        int dfd = procfs_openat(w->c->proc, path, O_RDONLY | O_DIRECTORY);
        if (dfd < 0) {
                if (dfd == -EACCES || dfd == -EPERM)
                        w->unreadable++;
                return 0; /* gone, a kernel thread, or a fixture without fds */
        }
        const char *comm = NULL;
        int r = 0;
        for (;;) {
                long n = syscall(SYS_getdents64, dfd, w->dents, DENTS_BUF);
                if (n <= 0)
                        break;
                r = scan_fd_entries(w, dfd, pid, w->dents, n, &comm);
                /* procfs fills the buffer while entries remain, so a short read is
                 * the end and saves a second call per process. */
                if (r < 0 || (w->c->procfs && (size_t)n < DENTS_BUF - 512))
                        break;
        }
        close(dfd);
        return r;
}

static void *owner_worker_run(void *p)
{
        struct owner_worker *w = p;
        struct owner_scan *c = w->c;
        w->dents = xmalloc(DENTS_BUF);
        for (;;) {
                /* Without `all`, the first owner of each socket is enough, so the
                 * scan stops as soon as every socket has one. */
                if (!c->all && __atomic_load_n(&c->n_found, __ATOMIC_RELAXED) >= c->n_wanted)
                        break;
                size_t i = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED);
                if (i >= c->n_pids)
                        break;
                w->err = scan_pid(w, c->pids[i]);
                if (w->err < 0)
                        break;
        }
        free(w->dents);
        w->dents = NULL;
        return NULL;
}

static pid_t parse_pid(const char *s)
{
        long v = 0;
        if (!*s)
                return 0;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > 1 << 30)
                        return 0;
                v = v * 10 + (*s - '0');
        }
        return (pid_t)v;
}

static int list_pids(const struct rootfs *proc, struct owner_scan *c)
{
        int dfd = procfs_openat(proc, ".", O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        struct statfs sf;
        c->procfs = fstatfs(dfd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
        DIR *d = fdopendir(dfd);
        if (!d) {
                int e = -errno;
                close(dfd);
                return e;
        }
        size_t cap = 0;
        struct dirent *de;
        while ((de = readdir(d)) && c->n_pids < PROC_MAX_PROCESSES) {
                pid_t pid = parse_pid(de->d_name);
                if (pid <= 0)
                        continue;
                if (c->n_pids == cap) {
                        cap = cap ? cap * 2 : 1024;
                        c->pids = xrealloc(c->pids, cap * sizeof(*c->pids));
                }
                c->pids[c->n_pids++] = pid;
        }
        closedir(d);
        return 0;
}

static int cmp_owner(const void *a, const void *b)
{
        const struct sock_owner *x = a, *y = b;
        if (x->listener != y->listener)
                return x->listener < y->listener ? -1 : 1;
        if (x->pid != y->pid)
                return x->pid < y->pid ? -1 : 1;
        return (x->fd > y->fd) - (x->fd < y->fd);
}

static int run_workers(struct owner_scan *c, struct sockets *s)
{
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        size_t nt = cpus < 1 ? 1 : cpus > OWNER_THREADS_MAX ? OWNER_THREADS_MAX : (size_t)cpus;
        if (nt > c->n_pids / 64 + 1)
                nt = c->n_pids / 64 + 1; /* a few processes: threads cost more than they save */
        struct owner_worker w[OWNER_THREADS_MAX] = {0};
        pthread_t t[OWNER_THREADS_MAX];
        bool started[OWNER_THREADS_MAX] = {0};
        for (size_t i = 0; i < nt; i++) {
                w[i].c = c;
                started[i] = i > 0 && pthread_create(&t[i], NULL, owner_worker_run, &w[i]) == 0;
        }
        owner_worker_run(&w[0]);
        int err = 0;
        for (size_t i = 0; i < nt; i++) {
                if (started[i])
                        pthread_join(t[i], NULL);
                else if (i > 0)
                        owner_worker_run(&w[i]); /* could not start: do its share here */
                if (w[i].err < 0)
                        err = w[i].err;
                s->owners_unreadable += w[i].unreadable;
                s->comms = xrealloc(s->comms, (s->n_comms + w[i].n_comms + 1) * sizeof(*s->comms));
                if (w[i].n_comms)
                        memcpy(s->comms + s->n_comms, w[i].comms, w[i].n_comms * sizeof(char *));
                s->n_comms += w[i].n_comms;
                free(w[i].comms);
                if (s->n_owners + w[i].n > s->owners_cap) {
                        s->owners_cap = s->n_owners + w[i].n;
                        s->owners = xrealloc(s->owners, s->owners_cap * sizeof(*s->owners));
                }
                if (w[i].n)
                        memcpy(s->owners + s->n_owners, w[i].owners, w[i].n * sizeof(*s->owners));
                s->n_owners += w[i].n;
                free(w[i].owners);
        }
        return err;
}

int sockets_find_owners(const struct rootfs *proc, bool all, struct sockets *s, char **ret_err)
{
        if (s->n == 0)
                return 0;
        struct owner_scan c = {.proc = proc, .s = s, .all = all};
        int r = list_pids(proc, &c);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", proc->path, rootfs_strerror(r));
                return r;
        }
        ino_map_build(&c.map, s);
        c.found = xcalloc(s->n, sizeof(bool));
        for (size_t i = 0; i < s->n; i++)
                c.n_wanted += s->v[i].inode != 0;
        r = run_workers(&c, s);
        free(c.map.slot);
        free(c.found);
        free(c.pids);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", proc->path, r == -E2BIG ? "too many socket owners" : strerror(-r));
                s->n_owners = 0;
                return r;
        }
        if (!all) {
                /* Two workers may both have claimed a first owner: keep one. */
                if (s->n_owners)
                        qsort(s->owners, s->n_owners, sizeof(*s->owners), cmp_owner);
                size_t k = 0;
                for (size_t i = 0; i < s->n_owners; i++)
                        if (k == 0 || s->owners[k - 1].listener != s->owners[i].listener)
                                s->owners[k++] = s->owners[i];
                s->n_owners = k;
        }
        if (s->n_owners)
                qsort(s->owners, s->n_owners, sizeof(*s->owners), cmp_owner);
        for (size_t i = s->n_owners; i-- > 0;) {
                struct listener *l = &s->v[s->owners[i].listener];
                l->owner0 = i;
                l->n_owners++;
        }
        return 0;
}

static void add_ifname(struct sockets *s, int inet, uint32_t idx)
{
        if (!idx)
                return;
        for (size_t i = 0; i < s->n_ifnames; i++)
                if (s->ifidx[i] == idx)
                        return;
        struct ifreq ifr = {.ifr_ifindex = (int)idx};
        /* The ioctl answers for the namespace of @inet, which is the inspected one. */
        if (ioctl(inet, SIOCGIFNAME, &ifr) < 0)
                snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "if%u", idx);
        s->ifidx = xrealloc(s->ifidx, (s->n_ifnames + 1) * sizeof(*s->ifidx));
        s->ifnames = xrealloc(s->ifnames, (s->n_ifnames + 1) * sizeof(*s->ifnames));
        s->ifidx[s->n_ifnames] = idx;
        memcpy(s->ifnames[s->n_ifnames], ifr.ifr_name, IF_NAMESIZE);
        s->ifnames[s->n_ifnames][IF_NAMESIZE - 1] = '\0';
        s->n_ifnames++;
}

const char *sockets_ifname(const struct sockets *s, uint32_t ifindex)
{
        for (size_t i = 0; i < s->n_ifnames; i++)
                if (s->ifidx[i] == ifindex)
                        return s->ifnames[i];
        return "?";
}

void sockets_collect(const char *netns_path, const struct rootfs *proc, unsigned flags, struct sockets *s)
{
        memset(s, 0, sizeof(*s));
        struct netns_handles h = {-1, -1, -1};
        char *err = NULL, *what = NULL;
        if (netns_open_handles(netns_path, proc, &h, &what, &err) < 0) {
                s->error = err;
                s->addrs_error = xstrdup(err);
                s->netns = what;
                return;
        }
        sockets_collect_handles(&h, what, proc, flags, s);
        free(what);
        netns_close_handles(&h);
}

void sockets_collect_handles(const struct netns_handles *hp, const char *what, const struct rootfs *proc,
                             unsigned flags, struct sockets *s)
{
        memset(s, 0, sizeof(*s));
        const struct netns_handles h = *hp;
        char *err = NULL;
        s->netns = what ? xstrdup(what) : NULL;
        if (sockets_dump_listeners(&h, s, &err) < 0) {
                s->error = err;
                s->n = 0;
        }
        for (size_t i = 0; i < s->n; i++)
                add_ifname(s, h.inet, s->v[i].ifindex);
        if (flags & SOCKETS_ADDRS) {
                if (sockets_dump_addrs(&h, s, &err) < 0) {
                        s->addrs_error = err;
                        s->n_addrs = 0;
                }
                for (size_t i = 0; i < s->n_addrs; i++)
                        add_ifname(s, h.inet, s->addrs[i].ifindex);
        } else {
                s->addrs_error = xstrdup("node addresses were not read");
        }
        if (!s->error && (flags & SOCKETS_OWNERS)) {
                if (!proc)
                        s->owners_error = xstrdup("no process table to read owners from");
                else if (sockets_find_owners(proc, flags & SOCKETS_ALL_OWNERS, s, &err) < 0)
                        s->owners_error = err;
        }
}

void sockets_free(struct sockets *s)
{
        if (!s)
                return;
        free(s->v);
        free(s->owners);
        for (size_t i = 0; i < s->n_comms; i++)
                free(s->comms[i]);
        free(s->comms);
        free(s->ifnames);
        free(s->ifidx);
        free(s->addrs);
        free(s->netns);
        free(s->error);
        free(s->owners_error);
        free(s->addrs_error);
        memset(s, 0, sizeof(*s));
}
