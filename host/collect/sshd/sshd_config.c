/* sshd_config: one parser for sshd_config lines, Include and Match, recording what the files say. */
#define _GNU_SOURCE
#include "collect/sshd/sshd_config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

#define WHITESPACE " \t\r\n"
#define SSHD_MAX_DEPTH 16 /* SERVCONF_MAX_DEPTH */
#define SSHD_FILE_CAP (1u << 20)
#define SSHD_MAX_FILES 4096u
#define SSHD_TOTAL_CAP (32u << 20) /* all files of one configuration together */

struct pctx {
        struct sshd_config *c;
        const struct rootfs *root;
        int depth;
        bool *active;
        bool nevermatch; /* inside an Include from an inactive Match block */
        bool cmdline;
        int match_idx; /* current Match block, -1 outside any */
        size_t bytes;  /* read so far, across includes */
};

/* Record an error ("FILE line N: ..."); the first one is what the CLI prints. */
static void perr(struct pctx *x, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void perr(struct pctx *x, const char *file, unsigned line, const char *fmt, ...)
{
        if (x->c->error)
                return;
        va_list ap;
        va_start(ap, fmt);
        struct strbuf sb = {0};
        sb_printf(&sb, "%s line %u: ", file, line);
        sb_vprintf(&sb, fmt, ap);
        va_end(ap);
        x->c->error = sb_steal(&sb);
}

/* Where a value goes: the global settings while active, else the current Match block. */
static struct sshd_value *target(struct pctx *x, int opt)
{
        if (opt < 0)
                return NULL;
        if (*x->active)
                return &x->c->s.v[opt];
        if (x->match_idx < 0)
                return NULL;
        struct sshd_match *m = &x->c->matches[x->match_idx];
        for (size_t i = 0; i < m->n_set; i++)
                if (m->set[i].opt == opt)
                        return &m->set[i].v;
        /* A block holds at most one entry per setting, so growing by one stays bounded. */
        m->set = xrealloc(m->set, (m->n_set + 1) * sizeof(*m->set));
        struct sshd_match_setting *ms = &m->set[m->n_set++];
        memset(ms, 0, sizeof(*ms));
        ms->opt = opt;
        return &ms->v;
}

const struct sshd_value *sshd_match_value(const struct sshd_match *m, enum sshd_opt o)
{
        for (size_t i = 0; i < m->n_set; i++)
                if (m->set[i].opt == (int)o)
                        return m->set[i].v.set ? &m->set[i].v : NULL;
        return NULL;
}

static void set_num(struct pctx *x, int opt, int num, const char *file, unsigned line)
{
        struct sshd_value *v = target(x, opt);
        if (!v || v->set)
                return;
        v->set = true;
        v->num = num;
        v->file = file;
        v->line = line;
}

static void set_str(struct pctx *x, int opt, int num, const char *s, const char *file, unsigned line)
{
        struct sshd_value *v = target(x, opt);
        if (!v || v->set)
                return;
        set_num(x, opt, num, file, line);
        v->str = s ? xstrdup(s) : NULL;
}

/* Append @s (taken over) to a list value and note where it was first set. */
static void list_add(struct sshd_value *v, char *s, const char *file, unsigned line)
{
        sshd_list_push(v, s);
        if (!v->set) {
                v->file = file;
                v->line = line;
        }
        v->set = true;
}

static int multi_lookup(const struct sshd_multi *m, const char *arg, bool case_sensitive)
{
        for (; m->name; m++)
                if (case_sensitive ? strcmp(m->name, arg) == 0 : strcasecmp(m->name, arg) == 0)
                        return m->value;
        return -1;
}

/* strtonum(0, INT_MAX) with OpenSSH's atoi_err() wording. */
static const char *atoi_err(const char *s, int *ret)
{
        if (!s || !*s)
                return "missing";
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (*end || end == s)
                return "invalid";
        if (v < 0 || (errno == ERANGE && v == LLONG_MIN))
                return "too small";
        if (v > INT_MAX || errno == ERANGE)
                return "too large";
        *ret = (int)v;
        return NULL;
}

static int parse_file_depth(struct pctx *x, const char *path, const char *from_file, unsigned from_line);

static int do_include(struct pctx *x, char **av, size_t ac, const char *file, unsigned line)
{
        if (x->cmdline) {
                perr(x, file, line, "Include directive not supported as a command-line option");
                return -EINVAL;
        }
        for (size_t i = 0; i < ac; i++) {
                if (!*av[i]) {
                        perr(x, file, line, "keyword Include empty argument");
                        return 1;
                }
                _cleanup_free_ char *pat = av[i][0] == '/' || av[i][0] == '~' ? xstrdup(av[i])
                                                                              : path_join("/etc/ssh", av[i]);
                char **paths;
                size_t n;
                int r = sshd_glob(x->root, pat, SSHD_MAX_FILES, &paths, &n);
                if (r < 0) {
                        perr(x, file, line, "include \"%s\" glob failed: %s", pat, strerror(-r));
                        return -EINVAL;
                }
                bool oactive = *x->active, onever = x->nevermatch;
                int omatch = x->match_idx;
                for (size_t k = 0; k < n && r >= 0; k++) {
                        x->nevermatch = onever || !oactive;
                        x->depth++;
                        r = parse_file_depth(x, paths[k], file, line);
                        x->depth--;
                        *x->active = oactive;
                        x->nevermatch = onever;
                        x->match_idx = omatch;
                }
                strv_free(paths, n);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A Match line: validate its criteria as sshd does without connection details. */
static int do_match(struct pctx *x, char *rest, const char *file, unsigned line)
{
        if (x->cmdline) {
                perr(x, file, line, "Match directive not supported as a command-line option");
                return -EINVAL;
        }
        _cleanup_free_ char *criteria = xstrdup(rest);
        _cleanup_free_ char *why = NULL;
        int r = sshd_match_validate(rest, &why);
        if (r < 0) {
                perr(x, file, line, "Bad Match condition: %s", why);
                return -EINVAL;
        }
        bool all = r == 1;
        *x->active = x->nevermatch ? false : all;
        struct sshd_config *c = x->c;
        if (c->n_matches == c->cap_matches) {
                c->cap_matches = c->cap_matches ? 2 * c->cap_matches : 8;
                c->matches = xrealloc(c->matches, c->cap_matches * sizeof(*c->matches));
        }
        struct sshd_match *m = &c->matches[c->n_matches];
        memset(m, 0, sizeof(*m));
        m->criteria = criteria;
        criteria = NULL;
        m->criteria[strcspn(m->criteria, "#")] = '\0';
        for (size_t l = strlen(m->criteria); l && strchr(WHITESPACE, m->criteria[l - 1]); l--)
                m->criteria[l - 1] = '\0';
        m->file = file;
        m->line = line;
        x->match_idx = (int)c->n_matches++;
        return 0;
}

static int do_listen(struct pctx *x, char **av, size_t ac, size_t *used, const char *file, unsigned line)
{
        char *arg = ac > 0 ? av[0] : NULL;
        if (!arg || !*arg) {
                perr(x, file, line, "missing address");
                return -EINVAL;
        }
        _cleanup_free_ char *host = NULL;
        int port = 0;
        char *p = strchr(arg, ':');
        if (!strchr(arg, '[') && p && strchr(p + 1, ':')) {
                host = xstrdup(arg); /* bare IPv6 address */
        } else {
                char *cp = arg, *h = sshd_hpdelim(&cp);
                if (!h) {
                        perr(x, file, line, "bad address:port usage");
                        return -EINVAL;
                }
                size_t hl = strlen(h);
                host = hl >= 2 && h[0] == '[' && h[hl - 1] == ']' ? strndup(h + 1, hl - 2) : xstrdup(h);
                if (cp && (port = sshd_a2port(x->root, cp)) <= 0) {
                        perr(x, file, line, "bad port number");
                        return -EINVAL;
                }
        }
        *used = 1;
        if (ac > 1) {
                /* "rdomain NAME": Linux sshd has no routing domains it accepts here. */
                perr(x, file, line,
                     ac > 2 && strcmp(av[1], "rdomain") == 0 ? "bad routing domain" : "bad ListenAddress syntax");
                return -EINVAL;
        }
        struct sshd_config *c = x->c;
        c->queued = xrealloc(c->queued, (c->n_queued + 1) * sizeof(*c->queued));
        c->queued[c->n_queued].addr = host;
        host = NULL;
        c->queued[c->n_queued].port = port;
        c->queued[c->n_queued].file = file;
        c->queued[c->n_queued++].line = line;
        return 0;
}

static int do_port(struct pctx *x, const char *arg, const char *file, unsigned line)
{
        struct sshd_config *c = x->c;
        if (c->ports_from_cmdline)
                return 0;
        if (c->n_ports >= ARRAY_SIZE(c->ports)) {
                perr(x, file, line, "too many ports.");
                return -EINVAL;
        }
        if (!arg || !*arg) {
                perr(x, file, line, "missing port number.");
                return -EINVAL;
        }
        int port = sshd_a2port(x->root, arg);
        if (port <= 0) {
                perr(x, file, line, "Badly formatted port number.");
                return -EINVAL;
        }
        c->ports[c->n_ports++] = port;
        return 0;
}

/* One keyword's line: its arguments and how many a handler took. */
struct kwline {
        const struct sshd_keyword *k;
        const char *kw; /* as written */
        char *raw;      /* the text after the keyword */
        char **av;
        size_t ac, used;
        const char *file;
        unsigned line;
};

/* Flags and multi-state keywords: a value from the keyword's table. */
static int kw_choice(struct pctx *x, struct kwline *l)
{
        const char *arg = l->ac ? l->av[0] : NULL;
        if (!arg || !*arg) {
                perr(x, l->file, l->line, "%s missing argument.", l->kw);
                return -EINVAL;
        }
        int v = multi_lookup(l->k->multi, arg, l->k->type == KW_PERMIT_TUNNEL);
        if (v < 0) {
                if (l->k->type == KW_LOGLEVEL)
                        perr(x, l->file, l->line, "unsupported log level '%s'", arg);
                else if (l->k->type == KW_PERMIT_TUNNEL)
                        perr(x, l->file, l->line, "bad %s argument %s", l->kw, arg);
                else
                        perr(x, l->file, l->line, "unsupported option \"%s\".", arg);
                return -EINVAL;
        }
        set_num(x, l->k->opt, v, l->file, l->line);
        return 0;
}

static int kw_number(struct pctx *x, struct kwline *l)
{
        const char *arg = l->ac ? l->av[0] : NULL;
        int v = 0;
        if (l->k->type == KW_INT) {
                const char *e = atoi_err(arg, &v);
                if (e) {
                        perr(x, l->file, l->line, "%s integer value %s.", l->kw, e);
                        return -EINVAL;
                }
        } else if (!arg || !*arg) {
                perr(x, l->file, l->line, "missing time value.");
                return -EINVAL;
        } else if ((v = sshd_convtime(arg)) < 0) {
                perr(x, l->file, l->line, "invalid time value.");
                return -EINVAL;
        }
        set_num(x, l->k->opt, v, l->file, l->line);
        return 0;
}

/* One-word strings (first wins) and HostKey (accumulates). */
static int kw_string(struct pctx *x, struct kwline *l)
{
        const char *arg = l->ac ? l->av[0] : NULL;
        if (!arg || !*arg) {
                perr(x, l->file, l->line, "%s missing argument.", l->kw);
                return -EINVAL;
        }
        if (l->k->type == KW_STRING)
                set_str(x, l->k->opt, 1, arg, l->file, l->line);
        else if (target(x, l->k->opt))
                list_add(target(x, l->k->opt), xstrdup(arg), l->file, l->line);
        return 0;
}

/* Allow/Deny lists accumulate; AuthorizedKeysFile takes its first line only. */
static int kw_list(struct pctx *x, struct kwline *l)
{
        struct sshd_value *t = target(x, l->k->opt);
        bool access = l->k->type == KW_ACCESS_LIST, take = t && (access || !t->set);
        bool users = l->k->opt == SO_ALLOW_USERS || l->k->opt == SO_DENY_USERS;
        l->used = l->ac;
        for (size_t i = 0; i < l->ac; i++) {
                const char *at = strrchr(l->av[i], '@');
                if (access && users && (!*l->av[i] || (at && !sshd_addr_list_valid(at + 1)))) {
                        perr(x, l->file, l->line, "invalid %s pattern: \"%s\"", l->kw, l->av[i]);
                        return -EINVAL;
                }
                if (access && !*l->av[i]) {
                        perr(x, l->file, l->line, "empty %s pattern", l->kw);
                        return -EINVAL;
                }
                if (!*l->av[i]) {
                        perr(x, l->file, l->line, "keyword %s empty argument", l->kw);
                        return 1;
                }
                if (take) { /* the word moves into the list: one copy of a long line, not two */
                        list_add(t, l->av[i], l->file, l->line);
                        l->av[i] = NULL;
                }
        }
        return 0;
}

/* AuthorizedKeysCommand keeps the raw rest of the line; it must be absolute. */
static int kw_raw_command(struct pctx *x, struct kwline *l)
{
        char *raw = l->raw + strspn(l->raw, WHITESPACE);
        l->used = l->ac;
        /* Checked on every line, also in Match blocks that do not apply (as sshd -T does). */
        if (raw[0] != '/' && strcasecmp(raw, "none") != 0) {
                perr(x, l->file, l->line, "%s must be an absolute path", l->kw);
                return -EINVAL;
        }
        set_str(x, l->k->opt, 1, raw, l->file, l->line);
        return 0;
}

/* PermitUserEnvironment: yes, no (case-sensitive) or a pattern list. */
static int kw_user_env(struct pctx *x, struct kwline *l)
{
        const char *arg = l->ac ? l->av[0] : NULL;
        if (!arg || !*arg) {
                perr(x, l->file, l->line, "%s missing argument.", l->kw);
                return -EINVAL;
        }
        if (strcmp(arg, "yes") == 0 || strcmp(arg, "no") == 0)
                set_str(x, l->k->opt, arg[0] == 'y', NULL, l->file, l->line);
        else
                set_str(x, l->k->opt, 1, arg, l->file, l->line);
        return 0;
}

static int kw_warn(struct pctx *x, struct kwline *l)
{
        struct sshd_config *c = x->c;
        c->warnings = xrealloc(c->warnings, (c->n_warnings + 1) * sizeof(char *));
        c->warnings[c->n_warnings++] = xasprintf("%s line %u: %s option %s", l->file, l->line,
                                                 l->k->type == KW_DEPRECATED ? "Deprecated" : "Unsupported", l->kw);
        l->used = l->ac;
        return 0;
}

/* One keyword with its arguments. Returns <0 for what sshd treats as fatal, 1 for an
 * error sshd counts and goes on, else 0; l->used is how many arguments were taken. */
static int do_keyword(struct pctx *x, struct kwline *l)
{
        l->used = l->ac > 0 ? 1 : 0;
        switch (l->k->type) {
        case KW_FLAG:
        case KW_MULTI:
        case KW_LOGLEVEL:
        case KW_PERMIT_TUNNEL: return kw_choice(x, l);
        case KW_INT:
        case KW_TIME: return kw_number(x, l);
        case KW_PORT:
                if (x->c->ports_from_cmdline) {
                        l->used = l->ac;
                        return 0;
                }
                return do_port(x, l->ac ? l->av[0] : NULL, l->file, l->line);
        case KW_LISTEN: return do_listen(x, l->av, l->ac, &l->used, l->file, l->line);
        case KW_STRING:
        case KW_LIST_ACCUM: return kw_string(x, l);
        case KW_ACCESS_LIST:
        case KW_LIST_FIRST: return kw_list(x, l);
        case KW_RAW_COMMAND: return kw_raw_command(x, l);
        case KW_PERMIT_USER_ENV: return kw_user_env(x, l);
        case KW_DEPRECATED:
        case KW_UNSUPPORTED: return kw_warn(x, l);
        case KW_CONSUME:
        case KW_IGNORE: l->used = l->ac; return 0;
        case KW_INCLUDE: l->used = l->ac; return do_include(x, l->av, l->ac, l->file, l->line);
        case KW_MATCH: l->used = l->ac; return do_match(x, l->raw, l->file, l->line);
        }
        return 0;
}

/* One line, as process_server_config_line() reads it. */
static int process_line(struct pctx *x, char *line, const char *file, unsigned lineno)
{
        size_t len = strlen(line);
        while (len > 0 && strchr(WHITESPACE "\f", line[len - 1]))
                line[--len] = '\0';
        char *str = line, *kw = sshd_strdelim(&str);
        if (kw && !*kw)
                kw = sshd_strdelim(&str);
        if (!kw || !*kw || *kw == '#')
                return 0;
        if (!str || !*str) {
                perr(x, file, lineno, "no argument after keyword \"%s\"", kw);
                return 1;
        }
        struct sshd_keyword kd, *k = &kd;
        if (sshd_keyword_find(kw, &kd) < 0) {
                perr(x, file, lineno, "Bad configuration option: %s", kw);
                return 1;
        }
        struct kwline l = {.k = k, .kw = kw, .raw = str, .file = file, .line = lineno};
        if (sshd_argv_split(str, &l.av, &l.ac) < 0) {
                perr(x, file, lineno, "invalid quotes");
                return 1;
        }
        int r;
        if (!*x->active && !(k->flags & KWF_MATCH)) {
                perr(x, file, lineno, "Directive '%s' is not allowed within a Match block", kw);
                r = -EINVAL;
        } else {
                r = do_keyword(x, &l);
        }
        if (r == 0 && l.used < l.ac) {
                perr(x, file, lineno, "keyword %s extra arguments at end of line", kw);
                r = 1;
        }
        strv_free(l.av, l.ac);
        return r;
}

/* Parse @text line by line; stops at the first error sshd treats as fatal. */
static int parse_text(struct pctx *x, const char *file, char *text)
{
        unsigned lineno = 0;
        int bad = 0;
        for (char *cp = text, *l; (l = strsep(&cp, "\n"));) {
                int r = process_line(x, l, file, ++lineno);
                if (r < 0)
                        return r;
                bad += r > 0;
        }
        return bad ? -EINVAL : 0;
}

static const char *remember_file(struct sshd_config *c, const char *path, const struct stat *st)
{
        c->files = xrealloc(c->files, (c->n_files + 1) * sizeof(*c->files));
        c->files[c->n_files].path = xstrdup(path);
        c->files[c->n_files].st = *st;
        return c->files[c->n_files++].path;
}

static int parse_file_depth(struct pctx *x, const char *path, const char *from_file, unsigned from_line)
{
        if (x->depth > SSHD_MAX_DEPTH) {
                perr(x, from_file, from_line, "Too many recursive configuration includes (include loop?)");
                return -ELOOP;
        }
        if (x->c->n_files >= SSHD_MAX_FILES) {
                perr(x, from_file, from_line, "too many included files");
                return -E2BIG;
        }
        char *buf;
        struct stat st;
        /* sshd reads an included directory as an empty file. */
        if (from_file && rootfs_stat(x->root, path, &st) == 0 && S_ISDIR(st.st_mode))
                return 0;
        size_t len;
        int r = rootfs_read_file(x->root, path, SSHD_FILE_CAP, &buf, &len, &st);
        if (r < 0) {
                if (from_file)
                        perr(x, from_file, from_line, "%s: %s", path, rootfs_strerror(r));
                return r;
        }
        if ((x->bytes += len) > SSHD_TOTAL_CAP) {
                free(buf);
                perr(x, from_file ? from_file : path, from_line, "configuration larger than %u MiB with its includes",
                     SSHD_TOTAL_CAP >> 20);
                return -EFBIG;
        }
        const char *name = remember_file(x->c, path, &st);
        r = parse_text(x, name, buf);
        free(buf);
        return r;
}

int sshd_config_parse_file(struct sshd_config *c, const struct rootfs *root, const char *path)
{
        bool active = true;
        struct pctx x = {.c = c, .root = root, .active = &active, .match_idx = -1};
        int r = parse_file_depth(&x, path, NULL, 0);
        if (r == -ENOENT && !c->error)
                return r;
        if (r < 0 && !c->error)
                c->error = xasprintf("%s: %s", path, rootfs_strerror(r));
        return r < 0 ? -EINVAL : 0;
}

int sshd_config_parse_string(struct sshd_config *c, const struct rootfs *root, const char *name, const char *text)
{
        bool active = true;
        struct pctx x = {.c = c, .root = root, .active = &active, .match_idx = -1};
        struct stat st = {0};
        const char *file = remember_file(c, name, &st);
        _cleanup_free_ char *buf = xstrdup(text);
        return parse_text(&x, file, buf) < 0 ? -EINVAL : 0;
}

int sshd_config_parse_option(struct sshd_config *c, const char *line)
{
        bool active = true;
        struct pctx x = {.c = c, .root = c->root, .active = &active, .match_idx = -1, .cmdline = true};
        _cleanup_free_ char *buf = xstrdup(line);
        return process_line(&x, buf, "command-line", 0) != 0 ? -EINVAL : 0;
}

int sshd_config_add_cmdline_port(struct sshd_config *c, const char *port)
{
        c->ports_from_cmdline = true;
        int p = sshd_a2port(c->root, port);
        if (c->n_ports >= ARRAY_SIZE(c->ports) || p <= 0) {
                if (!c->error)
                        c->error = xasprintf("command-line: Bad port number: -p %s", port);
                return -EINVAL;
        }
        c->ports[c->n_ports++] = p;
        return 0;
}
