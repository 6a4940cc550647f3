/* ownerscan: socket owners in one kernel pass (a BPF task_file iterator), for the owners walk. */
#define _GNU_SOURCE
#include "ownerscan.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

/* A light skeleton: the kernel relocates the program against its own BTF
 * (kernel 5.18+), so no vmlinux BTF is parsed here (libbpf's full load costs
 * tens of ms and MiB for that); libbpf's bpf.h only wraps the syscalls. */
#include "ownerscan.lskel.h"
#include "base/util.h"

/* The wanted set in as few calls as the kernel allows: one batch (5.6+), else one by one. */
static int fill_wanted(int map_fd, const uint64_t *inodes, size_t n)
{
        uint8_t *ones = xcalloc(n ? n : 1, 1);
        memset(ones, 1, n);
        __u32 count = (__u32)n;
        LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = 0, .flags = 0);
        int r = n ? bpf_map_update_batch(map_fd, inodes, ones, &count, &o) : 0;
        if (r < 0) {
                r = 0;
                for (size_t i = 0; i < n && r == 0; i++)
                        r = bpf_map_update_elem(map_fd, &inodes[i], &ones[i], BPF_ANY) < 0 ? -errno : 0;
        }
        free(ones);
        return r;
}

/* Read every record an attached iterator link writes: -E2BIG past @max records,
 * -EIO on a torn record (the seq file hands out whole ones). */
static int read_iter(int link_fd, size_t rec_size, size_t max, void **ret, size_t *ret_n)
{
        int iter = bpf_iter_create(link_fd);
        if (iter < 0)
                return -errno;
        char *v = NULL;
        size_t nv = 0, cap = 0;
        int r = 0;
        for (;;) {
                if (nv == cap) {
                        if (cap >= max) {
                                r = -E2BIG;
                                break;
                        }
                        cap = cap ? cap * 2 : 256;
                        v = xrealloc(v, cap * rec_size);
                }
                ssize_t got = read(iter, v + nv * rec_size, (cap - nv) * rec_size);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got <= 0) {
                        r = got < 0 ? -errno : 0;
                        break;
                }
                if ((size_t)got % rec_size != 0) {
                        r = -EIO;
                        break;
                }
                nv += (size_t)got / rec_size;
        }
        close(iter);
        if (r < 0) {
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = nv;
        return 0;
}

/* A run's process table and its owners share one load: verifying the two
 * programs is most of either pass's cost. Between ownerscan_hold() and
 * ownerscan_release() the first load is kept (its inode map filled at most once);
 * outside, each pass loads its own. The lock guards the state, not the passes. */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ownerscan_bpf *kept;
static unsigned holds, kept_users;
static bool kept_map_filled;

void ownerscan_hold(void)
{
        pthread_mutex_lock(&kept_lock);
        holds++;
        pthread_mutex_unlock(&kept_lock);
}

static void drop_kept_locked(void)
{
        if (!holds && !kept_users && kept) {
                ownerscan_bpf__destroy(kept);
                kept = NULL;
                kept_map_filled = false;
        }
}

void ownerscan_release(void)
{
        pthread_mutex_lock(&kept_lock);
        if (holds)
                holds--;
        drop_kept_locked();
        pthread_mutex_unlock(&kept_lock);
}

/* A fresh skeleton, loaded and attached; @use_map as the owners pass wants it. */
static int load_new(bool use_map, struct ownerscan_bpf **ret, const char **what)
{
        *what = "open";
        struct ownerscan_bpf *s = ownerscan_bpf__open();
        if (!s)
                return -ENOMEM;
        s->rodata->use_map = use_map;
        *what = "load";
        int r = ownerscan_bpf__load(s);
        if (r == 0) {
                *what = "attach the iterator";
                r = ownerscan_bpf__attach(s);
        }
        if (r < 0) {
                r = errno ? -errno : r;
                ownerscan_bpf__destroy(s);
                return r;
        }
        *ret = s;
        return 0;
}

/* The skeleton for one pass: the kept one when held (loaded on first use), else a
 * new one. @fills_map: the pass fills the inode map, so a kept skeleton whose map
 * was filled before is not used. *ret_kept says which to give back. */
static int skel_get(bool fills_map, struct ownerscan_bpf **ret, bool *ret_kept, const char **what)
{
        pthread_mutex_lock(&kept_lock);
        int r = 0;
        bool use_kept = holds && !(fills_map && kept_map_filled);
        if (use_kept && !kept)
                r = load_new(true, &kept, what);
        if (use_kept && r == 0) {
                kept_users++;
                kept_map_filled |= fills_map;
                *ret = kept;
        }
        pthread_mutex_unlock(&kept_lock);
        *ret_kept = use_kept;
        if (!use_kept)
                r = load_new(true, ret, what);
        return r;
}

static void skel_put(struct ownerscan_bpf *s, bool was_kept)
{
        if (!was_kept) {
                ownerscan_bpf__destroy(s);
                return;
        }
        pthread_mutex_lock(&kept_lock);
        kept_users--;
        drop_kept_locked();
        pthread_mutex_unlock(&kept_lock);
}

int ownerscan_run(const uint64_t *inodes, size_t n, size_t max_recs, struct ownerscan_rec **ret, size_t *ret_n,
                  char **ret_err)
{
        struct ownerscan_rec *v = NULL;
        size_t nv = 0;
        const char *what = "open";
        struct ownerscan_bpf *s = NULL;
        bool was_kept = false;
        int r;
        /* More inodes than the map holds: a load of its own that writes every socket. */
        if (n > OWNERSCAN_MAX_INODES)
                r = load_new(false, &s, &what);
        else
                r = skel_get(true, &s, &was_kept, &what);
        if (r < 0)
                goto out;
        what = "fill the inode map";
        if (n <= OWNERSCAN_MAX_INODES && (r = fill_wanted(s->maps.wanted.map_fd, inodes, n)) < 0)
                goto out;
        what = "read the iterator";
        r = read_iter(s->links.owners_fd, sizeof(*v), max_recs, (void **)&v, &nv);
out:
        if (s)
                skel_put(s, was_kept);
        if (r < 0) {
                free(v);
                *ret_err = xasprintf("eBPF task_file iterator: %s: %s", what, strerror(r < 0 ? -r : r));
                return r;
        }
        for (size_t i = 0; i < nv; i++)
                v[i].comm[OWNERSCAN_COMM_LEN - 1] = '\0';
        *ret = v;
        *ret_n = nv;
        return 0;
}

int ownerscan_tasks(size_t max, struct ownerscan_task **ret, size_t *ret_n, char **ret_err)
{
        struct ownerscan_task *v = NULL;
        size_t nv = 0;
        const char *what = "open";
        struct ownerscan_bpf *s = NULL;
        bool was_kept = false;
        int r = skel_get(false, &s, &was_kept, &what);
        if (r == 0) {
                what = "read the iterator";
                r = read_iter(s->links.tasks_fd, sizeof(*v), max, (void **)&v, &nv);
                skel_put(s, was_kept);
        }
        if (r < 0) {
                *ret_err = xasprintf("eBPF task iterator: %s: %s", what, strerror(-r));
                return r;
        }
        for (size_t i = 0; i < nv; i++)
                v[i].comm[OWNERSCAN_COMM_LEN - 1] = '\0';
        *ret = v;
        *ret_n = nv;
        return 0;
}
