/* mountinfo: /proc/PID/mountinfo read, and a container's path mapped to the host path behind it. */
#define _GNU_SOURCE
#include "base/mountinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* A field of a mountinfo line: the kernel escapes space, tab, newline and backslash as \ooo. */
static char *unescape(const char *s, size_t n)
{
        char *out = xmalloc(n + 1), *w = out;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                    s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *w++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                } else {
                        *w++ = s[i];
                }
        }
        *w = '\0';
        return out;
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": fields 3, 4 and 5. */
static int parse_line(const char *l, size_t n, struct mount_entry *e)
{
        const char *f[5];
        size_t fl[5], k = 0, i = 0;
        while (k < 5) {
                while (i < n && l[i] == ' ')
                        i++;
                if (i >= n)
                        return -EINVAL;
                f[k] = l + i;
                while (i < n && l[i] != ' ')
                        i++;
                fl[k] = (size_t)(l + i - f[k]);
                k++;
        }
        char dev[32];
        if (fl[2] >= sizeof(dev))
                return -EINVAL;
        memcpy(dev, f[2], fl[2]);
        dev[fl[2]] = '\0';
        char tail;
        if (sscanf(dev, "%u:%u%c", &e->major, &e->minor, &tail) != 2)
                return -EINVAL;
        /* The root is not always a path: a bind-mounted namespace file (ip netns) has
         * "net:[4026532289]"; such a mount just never holds a file we look for. */
        if (f[4][0] != '/')
                return -EINVAL;
        e->root = unescape(f[3], fl[3]);
        e->mountpoint = unescape(f[4], fl[4]);
        return 0;
}

int mountinfo_parse(const char *buf, size_t len, struct mounts *ret)
{
        struct mounts m = {0};
        size_t cap = 0;
        for (size_t i = 0; i < len;) {
                const char *nl = memchr(buf + i, '\n', len - i);
                size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
                if (n > 0) {
                        if (m.n >= MOUNTINFO_MAX_ENTRIES) {
                                mounts_free(&m);
                                return -E2BIG;
                        }
                        if (m.n == cap) {
                                cap = cap ? cap * 2 : 32;
                                m.v = xrealloc(m.v, cap * sizeof(*m.v));
                        }
                        if (memchr(buf + i, '\0', n) || parse_line(buf + i, n, &m.v[m.n]) < 0) {
                                mounts_free(&m);
                                return -EINVAL;
                        }
                        m.n++;
                }
                i += n + 1;
        }
        *ret = m;
        return 0;
}

void mounts_free(struct mounts *m)
{
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++) {
                free(m->v[i].root);
                free(m->v[i].mountpoint);
        }
        free(m->v);
        memset(m, 0, sizeof(*m));
}

/* @prefix is a whole-component prefix of @path: "/a" of "/a" and "/a/b", not of "/ab". */
static size_t component_prefix(const char *prefix, const char *path)
{
        size_t n = strlen(prefix);
        while (n > 1 && prefix[n - 1] == '/')
                n--;
        if (n == 1 && prefix[0] == '/')
                return path[0] == '/' ? 1 : 0;
        if (strncmp(prefix, path, n) != 0 || (path[n] != '\0' && path[n] != '/'))
                return 0;
        return n;
}

/* The mount that shows @path: the longest mount point over it, the last mounted on a tie. */
static const struct mount_entry *holder(const struct mounts *m, const char *path, size_t *ret_len)
{
        const struct mount_entry *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < m->n; i++) {
                size_t l = component_prefix(m->v[i].mountpoint, path);
                if (l && l >= best_len) {
                        best = &m->v[i];
                        best_len = l;
                }
        }
        *ret_len = best_len;
        return best;
}

static char *join3(const char *a, const char *b, const char *c)
{
        struct strbuf sb = {0};
        const char *parts[] = {a, b, c};
        for (size_t i = 0; i < 3; i++) {
                const char *p = parts[i];
                while (*p == '/')
                        p++;
                if (!*p)
                        continue;
                if (!sb.len || sb.buf[sb.len - 1] != '/')
                        sb_putc(&sb, '/');
                sb_puts(&sb, p);
                while (sb.len > 1 && sb.buf[sb.len - 1] == '/')
                        sb.buf[--sb.len] = '\0';
        }
        return sb.len ? sb_steal(&sb) : (sb_free(&sb), xstrdup("/"));
}

int mountinfo_host_path(const struct mounts *proc, const struct mounts *host, const char *path, char **ret)
{
        if (path[0] != '/')
                return -EINVAL;
        size_t ml;
        const struct mount_entry *pm = holder(proc, path, &ml);
        if (!pm)
                return -ENOENT;
        const char *rest = ml == 1 ? path + 1 : path + ml;
        /* The file is at pm->root + rest inside the device's filesystem; a host
         * mount of that device whose root is a prefix of it shows it. */
        char *in_fs = join3(pm->root, rest, "");
        const struct mount_entry *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < host->n; i++) {
                const struct mount_entry *h = &host->v[i];
                if (h->major != pm->major || h->minor != pm->minor)
                        continue;
                size_t l = component_prefix(h->root, in_fs);
                if (l && (!best || l > best_len)) {
                        best = h;
                        best_len = l;
                }
        }
        if (!best) {
                free(in_fs);
                return -ENOENT;
        }
        *ret = join3(best->mountpoint, best_len == 1 ? in_fs + 1 : in_fs + best_len, "");
        free(in_fs);
        return 0;
}
