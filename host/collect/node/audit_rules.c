/* audit_rules: the file watches an audit rule set loads, read from auditctl(8) rule files under the root. */
#define _GNU_SOURCE
#include "collect/node/audit_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/rootfs.h"
#include "base/util.h"

#define MAX_WORDS 64

struct rule {
        const char *w[MAX_WORDS];
        size_t n;
};

/* auditctl splits a rule on blanks; it has no quoting. */
static void split(char *l, struct rule *r)
{
        r->n = 0;
        for (char *save = NULL, *t = strtok_r(l, " \t\r", &save); t && r->n < MAX_WORDS;
             t = strtok_r(NULL, " \t\r", &save))
                r->w[r->n++] = t;
}

static const char *opt_value(const struct rule *r, size_t i)
{
        return i + 1 < r->n ? r->w[i + 1] : NULL;
}

static void set_perms(char out[5], const char *p)
{
        size_t k = 0;
        for (const char *c = "rwxa"; *c; c++)
                if (strchr(p, *c))
                        out[k++] = *c;
        out[k] = '\0';
}

static void add_watch(struct audit_rules *a, const char *path, const char *perms, bool subtree, const char *file,
                      unsigned line)
{
        if (!path || path[0] != '/' || a->n >= AUDIT_RULES_MAX_WATCHES)
                return;
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
                len--;
        if (a->n >= a->cap) {
                a->cap = a->cap ? 2 * a->cap : 8;
                a->v = xrealloc(a->v, a->cap * sizeof(*a->v));
        }
        struct audit_watch *w = &a->v[a->n++];
        *w = (struct audit_watch){.path = xmalloc(len + 1),
                                  .subtree = subtree,
                                  .dead = a->never_all != NULL,
                                  .file = xstrdup(file),
                                  .line = line};
        memcpy(w->path, path, len);
        w->path[len] = '\0';
        set_perms(w->perms, perms && *perms ? perms : "rwxa");
}

static void clear(struct audit_rules *a)
{
        for (size_t i = 0; i < a->n; i++) {
                free(a->v[i].path);
                free(a->v[i].file);
        }
        a->n = 0;
        free(a->never_all);
        a->never_all = NULL;
}

static void remove_watch(struct audit_rules *a, const char *path)
{
        for (size_t i = 0; path && i < a->n;) {
                if (a->v[i].subtree && strcmp(a->v[i].path, path) == 0) {
                        free(a->v[i].path);
                        free(a->v[i].file);
                        memmove(&a->v[i], &a->v[i + 1], (a->n - i - 1) * sizeof(*a->v));
                        a->n--;
                } else {
                        i++;
                }
        }
}

/* -a/-A ACTION,LIST [-S ...] [-F k=v ...] */
static void syscall_rule(struct audit_rules *a, const struct rule *r, const char *file, unsigned line)
{
        const char *al = NULL, *path = NULL, *dir = NULL, *perm = NULL;
        bool all = false, fields = false;
        for (size_t i = 0; i < r->n; i++) {
                const char *v = opt_value(r, i);
                if ((strcmp(r->w[i], "-a") == 0 || strcmp(r->w[i], "-A") == 0) && v)
                        al = v;
                else if (strcmp(r->w[i], "-S") == 0 && v)
                        all |= strcmp(v, "all") == 0;
                else if (strcmp(r->w[i], "-F") == 0 && v) {
                        if (str_startswith(v, "path="))
                                path = v + 5;
                        else if (str_startswith(v, "dir="))
                                dir = v + 4;
                        else if (str_startswith(v, "perm="))
                                perm = v + 5;
                        else if (!str_startswith(v, "key=") && !str_startswith(v, "arch="))
                                fields = true;
                }
        }
        if (!al || !strstr(al, "exit"))
                return;
        if (strstr(al, "never")) {
                if (all && !fields && !path && !dir && !a->never_all)
                        a->never_all = xasprintf("%s:%u", file, line);
                return;
        }
        if (strstr(al, "always") && (path || dir))
                add_watch(a, path ? path : dir, perm, dir != NULL, file, line);
}

static void apply_rule(struct audit_rules *a, char *l, const char *file, unsigned line)
{
        struct rule r;
        split(l, &r);
        if (r.n == 0)
                return;
        const char *first = r.w[0];
        if (strcmp(first, "-D") == 0) {
                if (!a->augenrules)
                        clear(a);
        } else if (strcmp(first, "-e") == 0 && opt_value(&r, 0)) {
                const char *v = opt_value(&r, 0);
                if ((v[0] >= '0' && v[0] <= '2') && !v[1])
                        a->enabled = v[0] - '0';
        } else if (strcmp(first, "-W") == 0) {
                remove_watch(a, opt_value(&r, 0));
        } else if (strcmp(first, "-w") == 0) {
                const char *perms = NULL;
                for (size_t i = 1; i < r.n; i++)
                        if (strcmp(r.w[i], "-p") == 0)
                                perms = opt_value(&r, i);
                add_watch(a, opt_value(&r, 0), perms, true, file, line);
        } else if (strcmp(first, "-a") == 0 || strcmp(first, "-A") == 0) {
                syscall_rule(a, &r, file, line);
        }
}

void audit_rules_parse(const char *buf, size_t len, const char *file, struct audit_rules *a)
{
        unsigned line = 0;
        size_t off = 0, n;
        for (const char *l; (l = line_next(buf, len, &off, &n));) {
                line++;
                if (n == 0 || memchr(l, '\0', n))
                        continue;
                char *copy = xmalloc(n + 1);
                memcpy(copy, l, n);
                copy[n] = '\0';
                char *s = copy + strspn(copy, " \t\r");
                if (*s && *s != '#')
                        apply_rule(a, s, file, line);
                free(copy);
        }
}

static void read_one(const struct rootfs *root, const char *path, struct audit_rules *a)
{
        char *buf = NULL;
        size_t len = 0;
        int r = rootfs_read_file(root, path, AUDIT_RULES_FILE_CAP, &buf, &len, NULL);
        if (r < 0) {
                if (r != -ENOENT && !a->error)
                        a->error = xasprintf("%s: %s", path, rootfs_strerror(r));
                return;
        }
        a->files = xrealloc(a->files, (a->n_files + 1) * sizeof(char *));
        a->files[a->n_files++] = xstrdup(path);
        audit_rules_parse(buf, len, path, a);
        free(buf);
}

/* auditd.service on Amazon Linux runs augenrules --load, which compiles rules.d
 * into audit.rules: when rules.d has rules they are the source, else audit.rules. */
void audit_rules_collect(const struct rootfs *root, struct audit_rules *a)
{
        memset(a, 0, sizeof(*a));
        a->enabled = -1;
        char **names = NULL;
        size_t n = 0;
        if (rootfs_list_dir(root, "/etc/audit/rules.d", 1024, &names, &n) == 0) {
                a->augenrules = true;
                for (size_t i = 0; i < n; i++) {
                        if (!str_endswith(names[i], ".rules"))
                                continue;
                        char *p = path_join("/etc/audit/rules.d", names[i]);
                        read_one(root, p, a);
                        free(p);
                }
                strv_free(names, n);
        }
        if (a->n_files == 0) {
                a->augenrules = false;
                read_one(root, "/etc/audit/audit.rules", a);
        }
}

static bool covers(const struct audit_watch *w, const char *path)
{
        size_t n = strlen(w->path);
        if (strncmp(w->path, path, n) != 0)
                return false;
        if (path[n] == '\0')
                return true;
        return w->subtree && (path[n] == '/' || strcmp(w->path, "/") == 0);
}

const struct audit_watch *audit_rules_covering(const struct audit_rules *a, const char *path)
{
        for (size_t i = 0; i < a->n; i++) {
                const struct audit_watch *w = &a->v[i];
                if (!w->dead && strchr(w->perms, 'w') && strchr(w->perms, 'a') && covers(w, path))
                        return w;
        }
        return NULL;
}

void audit_rules_free(struct audit_rules *a)
{
        if (!a)
                return;
        clear(a);
        free(a->v);
        if (a->files)
                strv_free(a->files, a->n_files);
        free(a->error);
        memset(a, 0, sizeof(*a));
}
