/* ownerscan: socket owners in one kernel pass (a BPF task_file iterator), for the owners walk. */
#define _GNU_SOURCE
#include "ownerscan.h"

#include <errno.h>
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

int ownerscan_run(const uint64_t *inodes, size_t n, size_t max_recs, struct ownerscan_rec **ret, size_t *ret_n,
                  char **ret_err)
{
        struct ownerscan_rec *v = NULL;
        size_t nv = 0;
        int r = 0;
        const char *what = "open";
        struct ownerscan_bpf *s = NULL;
        s = ownerscan_bpf__open();
        if (!s) {
                r = -ENOMEM;
                goto out;
        }
        s->rodata->use_map = n <= OWNERSCAN_MAX_INODES;
        what = "load";
        if ((r = ownerscan_bpf__load(s)) < 0) {
                r = errno ? -errno : r;
                goto out;
        }
        what = "fill the inode map";
        if (n <= OWNERSCAN_MAX_INODES && (r = fill_wanted(s->maps.wanted.map_fd, inodes, n)) < 0)
                goto out;
        what = "attach the iterator";
        if ((r = ownerscan_bpf__attach(s)) < 0) {
                r = errno ? -errno : r;
                goto out;
        }
        what = "read the iterator";
        r = read_iter(s->links.owners_fd, sizeof(*v), max_recs, (void **)&v, &nv);
out:
        if (s)
                ownerscan_bpf__destroy(s);
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
        int r = 0;
        const char *what = "open";
        struct ownerscan_bpf *s = ownerscan_bpf__open();
        if (!s) {
                r = -ENOMEM;
                goto out;
        }
        what = "load";
        if ((r = ownerscan_bpf__load(s)) < 0) {
                r = errno ? -errno : r;
                goto out;
        }
        what = "attach the iterator";
        if ((r = ownerscan_bpf__attach(s)) < 0) {
                r = errno ? -errno : r;
                goto out;
        }
        what = "read the iterator";
        r = read_iter(s->links.tasks_fd, sizeof(*v), max, (void **)&v, &nv);
out:
        if (s)
                ownerscan_bpf__destroy(s);
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
