/* journald_conf: where journald keeps the journal (Storage=), from journald.conf and its drop-ins under the root. */
#define _GNU_SOURCE
#include "collect/node/journald_conf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdirs.h"
#include "base/util.h"

static const char *trim(char *s)
{
        s += strspn(s, " \t\r");
        size_t n = strlen(s);
        while (n && strchr(" \t\r", s[n - 1]))
                s[--n] = '\0';
        return s;
}

static void assign(struct journald_conf *c, const char *key, const char *value, const char *file, unsigned line)
{
        if (strcmp(key, "Storage") != 0)
                return;
        free(c->storage);
        free(c->origin);
        c->storage = *value ? xstrdup(value) : NULL;
        c->origin = *value ? xasprintf("%s:%u", file, line) : NULL;
}

void journald_conf_parse(const char *buf, size_t len, const char *file, struct journald_conf *c)
{
        bool in_journal = false;
        unsigned line = 0;
        size_t off = 0, n;
        for (const char *l; (l = line_next(buf, len, &off, &n));) {
                line++;
                if (memchr(l, '\0', n))
                        continue;
                char *copy = xmalloc(n + 1);
                memcpy(copy, l, n);
                copy[n] = '\0';
                char *s = (char *)trim(copy);
                if (*s == '[') {
                        in_journal = strcmp(s, "[Journal]") == 0;
                } else if (in_journal && *s && *s != '#' && *s != ';') {
                        char *eq = strchr(s, '=');
                        if (eq) {
                                *eq = '\0';
                                assign(c, trim(s), trim(eq + 1), file, line);
                        }
                }
                free(copy);
        }
}

static void read_one(const struct rootfs *root, const char *path, struct journald_conf *c)
{
        char *buf = NULL;
        size_t len = 0;
        int r = rootfs_read_file(root, path, JOURNALD_CONF_CAP, &buf, &len, NULL);
        if (r < 0) {
                if (r != -ENOENT && !c->error)
                        c->error = xasprintf("%s: %s", path, rootfs_strerror(r));
                return;
        }
        c->files = xrealloc(c->files, (c->n_files + 1) * sizeof(char *));
        c->files[c->n_files++] = xstrdup(path);
        journald_conf_parse(buf, len, path, c);
        free(buf);
}

void journald_conf_collect(const struct rootfs *root, struct journald_conf *c)
{
        static const char *const mains[] = {"/etc/systemd/journald.conf", "/run/systemd/journald.conf",
                                            "/usr/local/lib/systemd/journald.conf", "/usr/lib/systemd/journald.conf"};
        static const char *const dropins[] = {"/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d",
                                              "/usr/local/lib/systemd/journald.conf.d",
                                              "/usr/lib/systemd/journald.conf.d"};
        memset(c, 0, sizeof(*c));
        for (size_t i = 0; i < ARRAY_SIZE(mains) && c->n_files == 0 && !c->error; i++)
                read_one(root, mains[i], c);
        char **paths = NULL;
        size_t n = 0;
        if (confdirs_list(root, dropins, ARRAY_SIZE(dropins), ".conf", &paths, &n) < 0 && !c->error)
                c->error = xasprintf("%s: too many drop-ins", dropins[0]);
        for (size_t i = 0; i < n; i++)
                read_one(root, paths[i], c);
        if (paths)
                strv_free(paths, n);
}

void journald_conf_free(struct journald_conf *c)
{
        if (!c)
                return;
        free(c->storage);
        free(c->origin);
        if (c->files)
                strv_free(c->files, c->n_files);
        free(c->error);
        memset(c, 0, sizeof(*c));
}
