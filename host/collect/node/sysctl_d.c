/* sysctl_d: the kernel settings a node applies at boot, from sysctl.d files in systemd-sysctl's order. */
#define _GNU_SOURCE
#include "collect/node/sysctl_d.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdirs.h"
#include "base/util.h"

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static char *trimmed(const char *s, size_t n)
{
        while (n && is_space(*s))
                s++, n--;
        while (n && is_space(s[n - 1]))
                n--;
        char *out = xmalloc(n + 1);
        memcpy(out, s, n);
        out[n] = '\0';
        return out;
}

/* sysctl.d(5): if the first separator is a slash, slashes and dots are swapped. */
static void normalize_key(char *k)
{
        size_t first = strcspn(k, "./");
        if (k[first] != '/')
                return;
        for (char *p = k; *p; p++)
                *p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
}

static void parse_line(const char *l, size_t n, const char *file, unsigned line, struct sysctl_boot *acc)
{
        const char *eq = memchr(l, '=', n);
        if (!eq || acc->n >= SYSCTL_D_MAX_ASSIGNS)
                return;
        char *key = trimmed(l, (size_t)(eq - l));
        char *k = key + (key[0] == '-');
        normalize_key(k);
        if (!*k || memchr(l, '\0', n)) {
                free(key);
                return;
        }
        /* Doubling: a long file stays linear. */
        if ((acc->n & (acc->n - 1)) == 0)
                acc->v = xrealloc(acc->v, (acc->n ? 2 * acc->n : 1) * sizeof(*acc->v));
        acc->v[acc->n++] = (struct sysctl_assign){.name = xstrdup(k),
                                                  .value = trimmed(eq + 1, n - (size_t)(eq + 1 - l)),
                                                  .file = xstrdup(file),
                                                  .line = line};
        free(key);
}

void sysctl_d_parse(const char *buf, size_t len, const char *file, struct sysctl_boot *acc)
{
        unsigned line = 0;
        size_t off = 0, n;
        for (const char *l; (l = line_next(buf, len, &off, &n));) {
                line++;
                size_t skip = 0;
                while (skip < n && is_space(l[skip]))
                        skip++;
                if (skip == n || l[skip] == '#' || l[skip] == ';')
                        continue;
                parse_line(l + skip, n - skip, file, line, acc);
        }
}

static void read_one(const struct rootfs *root, const char *path, bool must_exist, struct sysctl_boot *b)
{
        char *buf = NULL;
        size_t len = 0;
        int r = rootfs_read_file(root, path, SYSCTL_D_FILE_CAP, &buf, &len, NULL);
        if (r < 0) {
                if ((r != -ENOENT || must_exist) && !b->error)
                        b->error = xasprintf("%s: %s", path, rootfs_strerror(r));
                return;
        }
        b->files = xrealloc(b->files, (b->n_files + 1) * sizeof(char *));
        b->files[b->n_files++] = xstrdup(path);
        sysctl_d_parse(buf, len, path, b);
        free(buf);
}

void sysctl_boot_collect(const struct rootfs *root, struct sysctl_boot *b)
{
        static const char *const dirs[] = {"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d",
                                           "/usr/lib/sysctl.d", "/lib/sysctl.d"};
        memset(b, 0, sizeof(*b));
        char **paths = NULL;
        size_t n = 0;
        int r = confdirs_list(root, dirs, ARRAY_SIZE(dirs), ".conf", &paths, &n);
        if (r < 0)
                b->error = xasprintf("/etc/sysctl.d: %s", rootfs_strerror(r));
        for (size_t i = 0; i < n; i++)
                read_one(root, paths[i], true, b);
        if (paths)
                strv_free(paths, n);
        read_one(root, "/etc/sysctl.conf", false, b);
}

static bool is_glob(const char *s)
{
        return strpbrk(s, "*?[") != NULL;
}

/* systemd expands a glob against /proc/sys paths: "*" stays within one component. */
static bool glob_matches(const char *pattern, const char *name)
{
        char *p = xstrdup(pattern), *n = xstrdup(name);
        for (char *c = p; *c; c++)
                *c = *c == '.' ? '/' : *c;
        for (char *c = n; *c; c++)
                *c = *c == '.' ? '/' : *c;
        bool m = fnmatch(p, n, FNM_PATHNAME) == 0;
        free(p);
        free(n);
        return m;
}

const struct sysctl_assign *sysctl_boot_find(const struct sysctl_boot *b, const char *name)
{
        for (size_t i = b->n; i-- > 0;) {
                const char *k = b->v[i].name;
                if (strcmp(k, name) == 0 || (is_glob(k) && glob_matches(k, name)))
                        return &b->v[i];
        }
        return NULL;
}

int sysctl_value_equal(const char *a, const char *b)
{
        for (;;) {
                while (is_space(*a) || *a == '\n')
                        a++;
                while (is_space(*b) || *b == '\n')
                        b++;
                if (!*a || !*b)
                        return !*a && !*b;
                for (; *a && *b && !is_space(*a) && *a != '\n' && !is_space(*b) && *b != '\n'; a++, b++)
                        if (*a != *b)
                                return 0;
                if ((*a && !is_space(*a) && *a != '\n') || (*b && !is_space(*b) && *b != '\n'))
                        return 0;
        }
}

void sysctl_boot_free(struct sysctl_boot *b)
{
        if (!b)
                return;
        for (size_t i = 0; i < b->n; i++) {
                free(b->v[i].name);
                free(b->v[i].value);
                free(b->v[i].file);
        }
        free(b->v);
        if (b->files)
                strv_free(b->files, b->n_files);
        free(b->error);
        memset(b, 0, sizeof(*b));
}
