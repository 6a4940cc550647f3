/* modprobe: what modprobe would do for a kernel module (install commands and blacklists in modprobe.d), and whether the kernel has it loaded. */
#define _GNU_SOURCE
#include "collect/node/modprobe.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdirs.h"
#include "base/util.h"

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

/* A module name as kmod normalises it: "-" is "_" ("nf-conntrack" is nf_conntrack). */
static char *normalized(const char *s, size_t n)
{
        char *out = xmalloc(n + 1);
        for (size_t i = 0; i < n; i++)
                out[i] = s[i] == '-' ? '_' : s[i];
        out[n] = '\0';
        return out;
}

/* A name in a config line, as kmod's underscores() takes it: a glob's "[...]" range keeps its
 * "-"; a stray "]" or an unclosed "[" makes the line a syntax error kmod ignores (NULL). */
static char *config_name(const char *s, size_t n)
{
        char *out = normalized(s, n);
        for (size_t i = 0; i < n; i++) {
                if (s[i] == ']') {
                        free(out);
                        return NULL;
                }
                if (s[i] != '[')
                        continue;
                const char *close = memchr(s + i, ']', n - i);
                if (!close) {
                        free(out);
                        return NULL;
                }
                size_t end = (size_t)(close - s);
                memcpy(out + i, s + i, end - i); /* the range as written */
                i = end;
        }
        return out;
}

static void add_rule(struct modprobe_conf *acc, struct modprobe_rule rule)
{
        /* Doubling: a long file stays linear. */
        if ((acc->n & (acc->n - 1)) == 0)
                acc->v = xrealloc(acc->v, (acc->n ? 2 * acc->n : 1) * sizeof(*acc->v));
        acc->v[acc->n++] = rule;
}

/* One logical line (continuations joined): "install NAME COMMAND..." or "blacklist NAME". */
static void parse_line(const char *l, size_t n, const char *file, unsigned line, struct modprobe_conf *acc)
{
        size_t i = 0;
        while (i < n && is_blank(l[i]))
                i++;
        size_t kw = i;
        while (i < n && !is_blank(l[i]))
                i++;
        size_t kw_len = i - kw;
        bool install = kw_len == 7 && memcmp(l + kw, "install", 7) == 0;
        bool blacklist = kw_len == 9 && memcmp(l + kw, "blacklist", 9) == 0;
        if ((!install && !blacklist) || acc->n >= MODPROBE_MAX_RULES)
                return;
        while (i < n && is_blank(l[i]))
                i++;
        size_t name = i;
        while (i < n && !is_blank(l[i]))
                i++;
        size_t name_len = i - name;
        while (i < n && is_blank(l[i]))
                i++;
        size_t end = n;
        while (end > i && (is_blank(l[end - 1]) || l[end - 1] == '\r'))
                end--;
        /* kmod refuses an install line without a command, or a bad name, as a syntax error. */
        char *module = name_len && (!install || end > i) ? config_name(l + name, name_len) : NULL;
        if (!module)
                return;
        add_rule(acc, (struct modprobe_rule){
                              .kind = install ? MODPROBE_INSTALL : MODPROBE_BLACKLIST,
                              .module = module,
                              .command = install ? xasprintf("%.*s", (int)(end - i), l + i) : NULL,
                              .file = xstrdup(file),
                              .line = line,
                      });
}

void modprobe_conf_parse(const char *buf, size_t len, const char *file, struct modprobe_conf *acc)
{
        struct strbuf logical = {0};
        unsigned line = 0, first = 0;
        bool continued = false;
        for (size_t off = 0; off < len;) {
                const char *l = buf + off;
                const char *nl = memchr(l, '\n', len - off);
                size_t n = nl ? (size_t)(nl - l) : len - off;
                off += n + (nl != NULL);
                line++;
                if (memchr(l, '\0', n))
                        n = strlen(l);
                if (!continued)
                        first = line;
                continued = n && l[n - 1] == '\\' && off < len;
                sb_putn(&logical, l, continued ? n - 1 : n);
                if (continued)
                        continue;
                const char *s = logical.buf ? logical.buf : "";
                if (*s != '#')
                        parse_line(s, logical.len, file, first, acc);
                sb_free(&logical);
        }
        sb_free(&logical);
}

static void read_one(const struct rootfs *root, const char *path, struct modprobe_conf *c)
{
        char *buf = NULL;
        size_t len = 0;
        int r = rootfs_read_file(root, path, MODPROBE_D_FILE_CAP, &buf, &len, NULL);
        if (r < 0) {
                if (!c->error)
                        c->error = xasprintf("%s: %s", path, rootfs_strerror(r));
                return;
        }
        c->files = xrealloc(c->files, (c->n_files + 1) * sizeof(char *));
        c->files[c->n_files++] = xstrdup(path);
        modprobe_conf_parse(buf, len, path, c);
        free(buf);
}

void modprobe_conf_collect(const struct rootfs *root, struct modprobe_conf *c)
{
        static const char *const dirs[] = {"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d",
                                           "/usr/lib/modprobe.d", "/lib/modprobe.d"};
        memset(c, 0, sizeof(*c));
        char **paths = NULL;
        size_t n = 0;
        int r = confdirs_list(root, dirs, ARRAY_SIZE(dirs), ".conf", &paths, &n);
        if (r < 0)
                c->error = xasprintf("/etc/modprobe.d: %s", rootfs_strerror(r));
        for (size_t i = 0; i < n; i++)
                read_one(root, paths[i], c);
        if (paths)
                strv_free(paths, n);
}

const struct modprobe_rule *modprobe_install_for(const struct modprobe_conf *c, const char *module)
{
        char *name = normalized(module, strlen(module));
        const struct modprobe_rule *hit = NULL;
        for (size_t i = 0; i < c->n && !hit; i++)
                if (c->v[i].kind == MODPROBE_INSTALL && fnmatch(c->v[i].module, name, 0) == 0)
                        hit = &c->v[i];
        free(name);
        return hit;
}

const struct modprobe_rule *modprobe_blacklist_for(const struct modprobe_conf *c, const char *module)
{
        char *name = normalized(module, strlen(module));
        const struct modprobe_rule *hit = NULL;
        for (size_t i = 0; i < c->n && !hit; i++)
                if (c->v[i].kind == MODPROBE_BLACKLIST && strcmp(c->v[i].module, name) == 0)
                        hit = &c->v[i];
        free(name);
        return hit;
}

bool modprobe_command_refuses(const char *command)
{
        size_t n = strcspn(command, " \t;");
        const char *tail = command + n + strspn(command + n, " \t");
        const char *base = command;
        for (size_t i = 0; i < n; i++)
                if (command[i] == '/')
                        base = command + i + 1;
        size_t b = (size_t)(command + n - base);
        bool exits = (b == 4 && memcmp(base, "true", 4) == 0) || (b == 5 && memcmp(base, "false", 5) == 0);
        /* Anything after it (another command, a pipe) may still load the module. */
        return exits && *tail == '\0';
}

bool cmdline_lists_module(const char *cmdline, const char *param, const char *module)
{
        size_t plen = strlen(param), mlen = strlen(module);
        for (const char *p = cmdline; *p;) {
                p += strspn(p, " \t\n");
                size_t n = strcspn(p, " \t\n");
                if (n > plen && memcmp(p, param, plen) == 0 && p[plen] == '=') {
                        for (const char *v = p + plen + 1, *end = p + n; v < end;) {
                                size_t k = strcspn(v, ",");
                                k = v + k > end ? (size_t)(end - v) : k;
                                if (k == mlen && memcmp(v, module, mlen) == 0)
                                        return true;
                                v += k + 1;
                        }
                }
                p += n;
        }
        return false;
}

bool proc_modules_lists(const char *text, size_t len, const char *module)
{
        char *name = normalized(module, strlen(module));
        size_t want = strlen(name);
        bool found = false;
        for (size_t off = 0; off < len && !found;) {
                const char *l = text + off;
                const char *nl = memchr(l, '\n', len - off);
                size_t n = nl ? (size_t)(nl - l) : len - off;
                off += n + (nl != NULL);
                size_t w = 0;
                while (w < n && l[w] != ' ' && l[w] != '\t' && l[w] != '\0')
                        w++;
                if (w != want)
                        continue;
                found = true;
                for (size_t i = 0; i < w && found; i++)
                        found = (l[i] == '-' ? '_' : l[i]) == name[i];
        }
        free(name);
        return found;
}

void modprobe_conf_free(struct modprobe_conf *c)
{
        if (!c)
                return;
        for (size_t i = 0; i < c->n; i++) {
                free(c->v[i].module);
                free(c->v[i].command);
                free(c->v[i].file);
        }
        free(c->v);
        if (c->files)
                strv_free(c->files, c->n_files);
        free(c->error);
        memset(c, 0, sizeof(*c));
}
