/* sockets_owners: who holds each socket (one pass over PROC/<pid>/fd), and the collection entry point. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

struct owner_scan {
        const struct rootfs *proc;
        struct sockets *s;
        struct ino_map map;
        bool all;
        bool *found;
        size_t n_found, n_wanted;
};

static const char *comm_of(struct owner_scan *c, pid_t pid)
{
        char path[32], *buf = NULL;
        size_t len = 0;
        snprintf(path, sizeof(path), "%d/comm", (int)pid);
        struct sockets *s = c->s;
        s->comms = xrealloc(s->comms, (s->n_comms + 1) * sizeof(*s->comms));
        if (rootfs_read_file(c->proc, path, 4096, &buf, &len, NULL) < 0)
                buf = xstrdup("?");
        while (len && buf[len - 1] == '\n')
                buf[--len] = '\0';
        return s->comms[s->n_comms++] = buf;
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

static int add_owner(struct owner_scan *c, long li, pid_t pid, int fd, const char **comm)
{
        struct sockets *s = c->s;
        if (s->n_owners >= SOCKETS_MAX_OWNERS)
                return -E2BIG;
        if (!*comm)
                *comm = comm_of(c, pid);
        if (s->n_owners == s->owners_cap) {
                s->owners_cap = s->owners_cap ? s->owners_cap * 2 : 64;
                s->owners = xrealloc(s->owners, s->owners_cap * sizeof(*s->owners));
        }
        s->owners[s->n_owners++] = (struct sock_owner){(uint32_t)li, pid, fd, *comm};
        if (!c->found[li]) {
                c->found[li] = true;
                c->n_found++;
        }
        return 0;
}

static int scan_pid(struct owner_scan *c, pid_t pid)
{
        char path[32];
        snprintf(path, sizeof(path), "%d/fd", (int)pid);
        int dfd = rootfs_openat(c->proc, path, O_RDONLY | O_DIRECTORY);
        if (dfd < 0) {
                if (dfd == -EACCES || dfd == -EPERM)
                        c->s->owners_unreadable++;
                return 0; /* gone, a kernel thread, or a fixture without fds */
        }
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return 0;
        }
        const char *comm = NULL;
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                char lnk[64];
                ssize_t n = readlinkat(dirfd(d), de->d_name, lnk, sizeof(lnk) - 1);
                uint32_t ino = n > 0 ? socket_inode(lnk, n) : 0;
                long li = ino ? ino_map_find(&c->map, c->s, ino) : -1;
                if (li < 0 || (!c->all && c->found[li]))
                        continue;
                r = add_owner(c, li, pid, atoi(de->d_name), &comm);
        }
        closedir(d);
        return r;
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

int sockets_find_owners(const struct rootfs *proc, bool all, struct sockets *s, char **ret_err)
{
        if (s->n == 0)
                return 0;
        int dfd = rootfs_openat(proc, ".", O_RDONLY | O_DIRECTORY);
        DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
        if (!d) {
                int e = dfd < 0 ? dfd : -errno;
                if (dfd >= 0)
                        close(dfd);
                *ret_err = xasprintf("%s: %s", proc->path, rootfs_strerror(e));
                return e;
        }
        struct owner_scan c = {.proc = proc, .s = s, .all = all};
        ino_map_build(&c.map, s);
        c.found = xcalloc(s->n, sizeof(bool));
        for (size_t i = 0; i < s->n; i++)
                c.n_wanted += s->v[i].inode != 0;
        int r = 0;
        struct dirent *de;
        /* Without `all`, the first owner of each socket is enough, so the scan
         * stops as soon as every socket has one. */
        while (r == 0 && (all || c.n_found < c.n_wanted) && (de = readdir(d))) {
                pid_t pid = parse_pid(de->d_name);
                if (pid > 0)
                        r = scan_pid(&c, pid);
        }
        closedir(d);
        free(c.map.slot);
        free(c.found);
        if (r < 0) {
                *ret_err = xasprintf("%s: too many socket owners", proc->path);
                return r;
        }
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
        char *err = NULL;
        if (netns_open_handles(netns_path, proc, &h, &s->netns, &err) < 0) {
                s->error = err;
                s->addrs_error = xstrdup(err);
                return;
        }
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
        netns_close_handles(&h);
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
