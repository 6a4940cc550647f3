/* sockets_owners: who holds each socket (one pass over PROC/<pid>/fd), and the collection entry point. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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

#include "ownerscan.h"
#include "base/proc.h"
#include "base/procfs.h"
#include "base/sandbox.h"
#include "collect/net/sockets.h"
#include "base/util.h"

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
/* From this many processes on, one kernel pass beats the walk (see BENCHMARKS.md). */
#define OWNERS_ITERATOR_MIN_PIDS 512
#define DENTS_BUF (64u * 1024u)

struct owner_scan {
        const struct rootfs *proc;
        const struct sockets *s;
        struct ino_map map;
        bool all;
        bool procfs;              /* a real procfs: a short getdents means the end, and PID/... opens directly */
        const bool *want;         /* by listener; NULL: every listener */
        bool *found;              /* by listener; atomics */
        size_t n_found, n_wanted; /* n_found atomic */
        const pid_t *pids;
        size_t n_pids, next; /* next atomic */
        const pid_t *first;  /* read in full before the walk, and skipped by it */
        size_t n_first;
};

struct owner_worker {
        struct owner_scan *c;
        struct sock_owner *owners;
        size_t n, cap;
        unsigned unreadable;
        bool full; /* every socket of the process, wanted or found already */
        int err;
        char *dents;
};

/* PROC/<pid>/comm into the 16 bytes the kernel keeps (TASK_COMM_LEN). */
static void comm_of(const struct owner_scan *c, pid_t pid, char comm[SOCK_COMM_LEN])
{
        char path[32];
        snprintf(path, sizeof(path), "%d/comm", (int)pid);
        ssize_t n = -1;
        if (c->procfs) {
                /* A real procfs has no symlink on this path: one open, one read. */
                int fd = procfs_openat(c->proc, path, O_RDONLY);
                if (fd >= 0) {
                        n = read(fd, comm, SOCK_COMM_LEN - 1);
                        close(fd);
                }
        } else {
                char *buf = NULL;
                size_t len = 0;
                if (rootfs_read_file(c->proc, path, 4096, &buf, &len, NULL) == 0) {
                        n = (ssize_t)(len < SOCK_COMM_LEN - 1 ? len : SOCK_COMM_LEN - 1);
                        memcpy(comm, buf, (size_t)n);
                        free(buf);
                }
        }
        if (n < 0)
                n = 0;
        comm[n] = '\0';
        comm[strcspn(comm, "\n")] = '\0';
        if (!comm[0])
                memcpy(comm, "?", 2);
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

static bool wanted(const struct owner_scan *c, long li)
{
        return !c->want || c->want[li];
}

static int add_owner(struct owner_worker *w, long li, pid_t pid, int fd, char *comm)
{
        struct owner_scan *c = w->c;
        if (w->n >= SOCKETS_MAX_OWNERS)
                return -E2BIG;
        if (!comm[0])
                comm_of(c, pid, comm);
        if (w->n == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 64;
                w->owners = xrealloc(w->owners, w->cap * sizeof(*w->owners));
        }
        struct sock_owner *o = &w->owners[w->n++];
        *o = (struct sock_owner){.listener = (uint32_t)li, .pid = pid, .fd = fd};
        memcpy(o->comm, comm, SOCK_COMM_LEN);
        if (!__atomic_exchange_n(&c->found[li], true, __ATOMIC_RELAXED) && wanted(c, li))
                __atomic_add_fetch(&c->n_found, 1, __ATOMIC_RELAXED);
        return 0;
}

/* An fd directory entry's name: decimal, no leading zero, at most INT_MAX; -1
 * for anything else (a fixture's "99999999999" must not wrap). */
static int fd_name_parse(const char *s)
{
        long v = 0;
        if (!*s || (s[0] == '0' && s[1]))
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -1;
                v = v * 10 + (*s - '0');
                if (v > INT_MAX)
                        return -1;
        }
        return (int)v;
}

static int scan_fd_entries(struct owner_worker *w, int dfd, pid_t pid, const char *p, long n, char *comm)
{
        struct owner_scan *c = w->c;
        for (long off = 0; off < n;) {
                const struct dirent64 *de = (const struct dirent64 *)(p + off);
                if (de->d_reclen == 0)
                        return -EIO;
                off += de->d_reclen;
                int fd = fd_name_parse(de->d_name);
                if (fd < 0)
                        continue;
                char lnk[64];
                ssize_t ln = readlinkat(dfd, de->d_name, lnk, sizeof(lnk) - 1);
                uint32_t ino = ln > 0 ? socket_inode(lnk, ln) : 0;
                long li = ino ? ino_map_find(&c->map, c->s, ino) : -1;
                if (li < 0)
                        continue;
                /* A socket another worker found already is still recorded: that
                 * worker may hold a higher pid, and first-owner mode keeps the lowest. */
                if (!w->full && !wanted(c, li))
                        continue;
                int r = add_owner(w, li, pid, fd, comm);
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
        char comm[SOCK_COMM_LEN] = ""; /* read at the first socket found */
        int r = 0;
        for (;;) {
                long n = syscall(SYS_getdents64, dfd, w->dents, DENTS_BUF);
                if (n <= 0)
                        break;
                r = scan_fd_entries(w, dfd, pid, w->dents, n, comm);
                /* procfs fills the buffer while entries remain, so a short read is
                 * the end and saves a second call per process. */
                if (r < 0 || (w->c->procfs && (size_t)n < DENTS_BUF - 512))
                        break;
        }
        close(dfd);
        return r;
}

static bool is_first(const struct owner_scan *c, pid_t pid)
{
        for (size_t i = 0; i < c->n_first; i++)
                if (c->first[i] == pid)
                        return true;
        return false;
}

static void *owner_worker_run(void *p)
{
        struct owner_worker *w = p;
        struct owner_scan *c = w->c;
        w->dents = xmalloc(DENTS_BUF);
        for (;;) {
                /* Without `all`, the first owner of each socket is enough, so the
                 * scan stops as soon as every wanted socket has one. */
                if (!c->all && __atomic_load_n(&c->n_found, __ATOMIC_RELAXED) >= c->n_wanted)
                        break;
                size_t i = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED);
                if (i >= c->n_pids)
                        break;
                if (c->n_first && is_first(c, c->pids[i]))
                        continue;
                w->err = scan_pid(w, c->pids[i]);
                if (w->err < 0)
                        break;
        }
        free(w->dents);
        w->dents = NULL;
        return NULL;
}

static bool is_procfs(const struct rootfs *proc)
{
        struct statfs sf;
        return fstatfs(proc->fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

static int cmp_pid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

static int list_pids(const struct rootfs *proc, pid_t **ret, size_t *ret_n)
{
        int dfd = procfs_openat(proc, ".", O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        DIR *d = fdopendir(dfd);
        if (!d) {
                int e = -errno;
                close(dfd);
                return e;
        }
        size_t cap = 0, n = 0;
        pid_t *v = NULL;
        struct dirent *de;
        while ((de = readdir(d)) && n < PROC_MAX_PROCESSES) {
                pid_t pid = proc_pid_parse(de->d_name);
                if (pid <= 0)
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 1024;
                        v = xrealloc(v, cap * sizeof(*v));
                }
                v[n++] = pid;
        }
        closedir(d);
        /* Ascending, whatever the directory order: workers take pids in this order
         * and stop only between processes, so the lowest holder of a socket is
         * always read (the first owner a run reports does not depend on timing). */
        if (n)
                qsort(v, n, sizeof(*v), cmp_pid);
        *ret = v;
        *ret_n = n;
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

static void take_owners(struct sockets *s, struct owner_worker *w)
{
        s->owners_unreadable += w->unreadable;
        if (s->n_owners + w->n > s->owners_cap) {
                s->owners_cap = s->n_owners + w->n;
                s->owners = xrealloc(s->owners, s->owners_cap * sizeof(*s->owners));
        }
        if (w->n)
                memcpy(s->owners + s->n_owners, w->owners, w->n * sizeof(*s->owners));
        s->n_owners += w->n;
        free(w->owners);
        w->owners = NULL;
        w->n = w->cap = 0;
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
                take_owners(s, &w[i]);
        }
        return err;
}

/* The processes asked for first, every socket of theirs: a handful, in this thread. */
static int scan_first(struct owner_scan *c, struct sockets *s)
{
        struct owner_worker w = {.c = c, .full = true, .dents = xmalloc(DENTS_BUF)};
        for (size_t i = 0; i < c->n_first && w.err >= 0; i++)
                w.err = scan_pid(&w, c->first[i]);
        free(w.dents);
        take_owners(s, &w);
        return w.err;
}

/* Every wanted owner in one kernel pass; -ENOTSUP or the loader's error when the
 * kernel, the privileges or PROC do not allow it (the walk then runs). */
static int owners_by_iterator(struct owner_scan *c, struct sockets *s)
{
        const char *how = getenv("NODEWARD_OWNERS");
        /* Under watch's seccomp filter no BPF program can be loaded (host/base/sandbox.c). */
        if ((how && strcmp(how, "walk") == 0) || !c->procfs || sandbox_installed() || !proc_is_own_pid_ns(c->proc))
                return -ENOTSUP;
        /* Loading costs a few ms whatever the node; on a small process table the
         * walk is cheaper (NODEWARD_OWNERS=bpf insists). */
        if (c->n_pids < OWNERS_ITERATOR_MIN_PIDS && !(how && strcmp(how, "bpf") == 0))
                return -ENOTSUP;
        uint64_t *ino = xcalloc(s->n + 1, sizeof(*ino));
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].inode && (c->n_first || wanted(c, (long)i)))
                        ino[k++] = s->v[i].inode;
        struct ownerscan_rec *rec = NULL;
        size_t nr = 0;
        char *err = NULL;
        int r = k ? ownerscan_run(ino, k, SOCKETS_MAX_OWNERS, &rec, &nr, &err) : 0;
        free(ino);
        if (r < 0) {
                free(err);
                return r;
        }
        struct owner_worker w = {.c = c};
        for (size_t i = 0; i < nr && r == 0; i++) {
                long li = rec[i].ino <= UINT32_MAX ? ino_map_find(&c->map, s, (uint32_t)rec[i].ino) : -1;
                if (li < 0 || (!wanted(c, li) && !is_first(c, (pid_t)rec[i].pid)))
                        continue;
                char comm[SOCK_COMM_LEN];
                memcpy(comm, rec[i].comm, sizeof(comm));
                comm[SOCK_COMM_LEN - 1] = '\0';
                if (!comm[0])
                        memcpy(comm, "?", 2);
                r = add_owner(&w, li, (pid_t)rec[i].pid, (int)rec[i].fd, comm);
        }
        free(rec);
        take_owners(s, &w);
        if (r == 0)
                s->owners_via = "eBPF task_file iterator";
        return r;
}

/* First-owner mode keeps one owner per listener: a process asked for first
 * (sshd) when one holds it, else the lowest pid. @v is sorted by listener, pid, fd. */
static size_t keep_first_owners(const struct owner_scan *c, struct sock_owner *v, size_t n)
{
        size_t k = 0;
        for (size_t i = 0; i < n;) {
                size_t j = i, pick = i;
                for (; j < n && v[j].listener == v[i].listener; j++)
                        if (pick == i && c->n_first && is_first(c, v[j].pid))
                                pick = j;
                v[k++] = v[pick];
                i = j;
        }
        return k;
}

int sockets_find_owners_query(const struct rootfs *proc, const struct owner_query *q, struct sockets *s, char **ret_err)
{
        if (s->n == 0)
                return 0;
        struct owner_scan c = {.proc = proc,
                               .s = s,
                               .all = q->all,
                               .want = q->want,
                               .first = q->first,
                               .n_first = q->n_first,
                               .pids = q->pids,
                               .n_pids = q->n_pids};
        c.procfs = is_procfs(proc);
        for (size_t i = 0; i < s->n; i++)
                c.n_wanted += s->v[i].inode != 0 && wanted(&c, (long)i);
        pid_t *listed = NULL;
        int r = 0;
        if (!c.pids && (c.n_wanted || c.all)) {
                r = list_pids(proc, &listed, &c.n_pids);
                if (r < 0) {
                        *ret_err = xasprintf("%s: %s", proc->path, rootfs_strerror(r));
                        return r;
                }
                c.pids = listed;
        }
        ino_map_build(&c.map, s);
        c.found = xcalloc(s->n, sizeof(bool));
        r = owners_by_iterator(&c, s);
        if (r < 0) {
                /* The walk instead: what the iterator may have added goes. */
                s->n_owners = 0;
                s->owners_via = "PROC walk";
                r = scan_first(&c, s);
                if (r >= 0 && (c.n_wanted || c.all) && (c.all || c.n_found < c.n_wanted))
                        r = run_workers(&c, s);
        }
        free(c.map.slot);
        free(c.found);
        free(listed);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", proc->path, r == -E2BIG ? "too many socket owners" : strerror(-r));
                s->n_owners = 0;
                return r;
        }
        if (s->n_owners)
                qsort(s->owners, s->n_owners, sizeof(*s->owners), cmp_owner);
        if (!c.all) { /* two workers may both have claimed a first owner */
                s->n_owners = keep_first_owners(&c, s->owners, s->n_owners);
        } else if (s->n_owners) {
                /* A thread with a files table of its own shows its process's fds again. */
                size_t k = 1;
                for (size_t i = 1; i < s->n_owners; i++)
                        if (cmp_owner(&s->owners[k - 1], &s->owners[i]) != 0)
                                s->owners[k++] = s->owners[i];
                s->n_owners = k;
        }
        for (size_t i = s->n_owners; i-- > 0;) {
                struct listener *l = &s->v[s->owners[i].listener];
                l->owner0 = (uint32_t)i; /* i < SOCKETS_MAX_OWNERS */
                l->n_owners++;
        }
        return 0;
}

int sockets_find_owners(const struct rootfs *proc, bool all, struct sockets *s, char **ret_err)
{
        struct owner_query q = {.all = all};
        return sockets_find_owners_query(proc, &q, s, ret_err);
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
        struct netns_handles h = {-1, -1, -1, NULL};
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
        s->netns_fallback = hp->fallback ? xstrdup(hp->fallback) : NULL;
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
        if (flags & SOCKETS_OWNERS) {
                struct owner_query q = {.all = flags & SOCKETS_ALL_OWNERS};
                sockets_add_owners(proc, &q, s);
        }
}

void sockets_add_owners(const struct rootfs *proc, const struct owner_query *q, struct sockets *s)
{
        char *err = NULL;
        if (s->error)
                return;
        if (!proc)
                s->owners_error = xstrdup("no process table to read owners from");
        else if (sockets_find_owners_query(proc, q, s, &err) < 0)
                s->owners_error = err;
}

void sockets_free(struct sockets *s)
{
        if (!s)
                return;
        free(s->v);
        free(s->owners);
        free(s->ifnames);
        free(s->ifidx);
        free(s->addrs);
        free(s->netns);
        free(s->netns_fallback);
        free(s->error);
        free(s->owners_error);
        free(s->addrs_error);
        memset(s, 0, sizeof(*s));
}
