/* sdunit: what command line a systemd service unit would start, read from its files under the root. */
#define _GNU_SOURCE
#include "base/sdunit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static const char *const unit_dirs[] = {
        "/etc/systemd/system",     "/run/systemd/system", "/usr/local/lib/systemd/system",
        "/usr/lib/systemd/system", "/lib/systemd/system",
};

#define MAX_ENV 4096
#define MAX_WORDS 8192
#define MAX_ENV_FILES 64

static void strv_push(char ***v, size_t *n, char *s)
{
        *v = xrealloc(*v, (*n + 2) * sizeof(**v));
        (*v)[(*n)++] = s;
        (*v)[*n] = NULL;
}

static void strv_clear(char ***v, size_t *n)
{
        strv_free(*v, *n);
        *v = NULL;
        *n = 0;
}

static char unescape(char c)
{
        switch (c) {
        case 'n': return '\n';
        case 't': return '\t';
        case 'r': return '\r';
        case 'a': return '\a';
        case 'b': return '\b';
        case 'f': return '\f';
        case 'v': return '\v';
        case 's': return ' ';
        default: return c;
        }
}

int sd_split_words(const char *s, char ***ret_words, size_t *ret_n)
{
        char **w = NULL;
        size_t n = 0;
        struct strbuf cur = {0};
        bool in_word = false;
        char quote = 0;
        for (const char *p = s;; p++) {
                char c = *p;
                if (quote) {
                        if (!c) {
                                /* Unterminated quote: take it as ending here, as systemd's relaxed mode does. */
                                break;
                        }
                        if (c == quote) {
                                quote = 0;
                        } else if (c == '\\' && quote == '"' && p[1]) {
                                sb_putc(&cur, unescape(*++p));
                        } else {
                                sb_putc(&cur, c);
                        }
                        continue;
                }
                if (!c || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                        if (in_word) {
                                if (n >= MAX_WORDS) {
                                        sb_free(&cur);
                                        strv_free(w, n);
                                        return -E2BIG;
                                }
                                strv_push(&w, &n, sb_steal(&cur));
                                in_word = false;
                        }
                        if (!c)
                                break;
                        continue;
                }
                in_word = true;
                if (c == '\'' || c == '"') {
                        quote = c;
                        cur.buf ? (void)0 : sb_puts(&cur, "");
                } else if (c == '\\' && p[1]) {
                        sb_putc(&cur, unescape(*++p));
                } else {
                        sb_putc(&cur, c);
                }
        }
        if (in_word)
                strv_push(&w, &n, sb_steal(&cur));
        sb_free(&cur);
        if (!w)
                w = xcalloc(1, sizeof(*w));
        *ret_words = w;
        *ret_n = n;
        return 0;
}

static const char *env_get(char **env, size_t n, const char *name, size_t nlen)
{
        /* Later assignments win. */
        for (size_t i = n; i-- > 0;)
                if (strncmp(env[i], name, nlen) == 0 && env[i][nlen] == '=')
                        return env[i] + nlen + 1;
        return NULL;
}

static bool valid_env_name(const char *s, size_t n)
{
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
                      (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

/* "KEY = value" in place: blanks around both trimmed. False when there is no '='. */
static bool split_assignment(char *line, char **ret_key, char **ret_value)
{
        char *eq = strchr(line, '=');
        if (!eq)
                return false;
        char *ke = eq;
        while (ke > line && (ke[-1] == ' ' || ke[-1] == '\t'))
                ke--;
        *ke = '\0';
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
                v++;
        size_t vl = strlen(v);
        while (vl && strchr(" \t\r", v[vl - 1]))
                v[--vl] = '\0';
        *ret_key = line;
        *ret_value = v;
        return true;
}

int sd_parse_env_file(const char *buf, char ***env, size_t *n)
{
        const char *p = buf;
        while (*p) {
                const char *eol = strchrnul(p, '\n');
                struct strbuf line = {0};
                /* A backslash before the newline continues the line. */
                for (;;) {
                        sb_putn(&line, p, (size_t)(eol - p));
                        if (line.len && line.buf[line.len - 1] == '\\' && *eol) {
                                line.buf[--line.len] = '\0';
                                p = eol + 1;
                                eol = strchrnul(p, '\n');
                                continue;
                        }
                        break;
                }
                p = *eol ? eol + 1 : eol;
                char *l = line.buf ? line.buf : "";
                while (*l == ' ' || *l == '\t')
                        l++;
                char *key, *v;
                if (*l && *l != '#' && *l != ';' && split_assignment(l, &key, &v)) {
                        size_t vl = strlen(v);
                        struct strbuf val = {0};
                        sb_puts(&val, "");
                        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
                                for (size_t i = 1; i + 1 < vl; i++) {
                                        if (v[0] == '"' && v[i] == '\\' && i + 2 < vl)
                                                i++;
                                        sb_putc(&val, v[i]);
                                }
                        } else {
                                sb_puts(&val, v);
                        }
                        bool valid = valid_env_name(key, strlen(key));
                        /* Dropping the rest would hide a later assignment: an error instead. */
                        if (valid && *n >= MAX_ENV) {
                                sb_free(&val);
                                sb_free(&line);
                                return -E2BIG;
                        }
                        if (valid)
                                strv_push(env, n, xasprintf("%s=%s", key, val.buf));
                        sb_free(&val);
                }
                sb_free(&line);
        }
        return 0;
}

/* What one ExecStart= may expand to, in all: Linux refuses to start a command
 * line past ARG_MAX (2 MiB on the kernels nodes run), and every "$A" or "${A}"
 * copies A again, so without this budget a short line and a long variable
 * would cost their product. */
#define EXEC_EXPANDED_CAP (2u * 1024u * 1024u)

/* ${VAR} anywhere in a word: the value, as part of that one word. *budget is
 * what the line may still add; NULL when it would pass it. */
static char *expand_braces(const char *w, char **env, size_t nenv, size_t *budget)
{
        struct strbuf out = {0};
        sb_puts(&out, "");
        for (const char *p = w; *p; p++) {
                if (out.len > *budget) {
                        sb_free(&out);
                        return NULL;
                }
                if (p[0] == '$' && p[1] == '$') {
                        sb_putc(&out, '$');
                        p++;
                } else if (p[0] == '$' && p[1] == '{') {
                        const char *close = strchr(p + 2, '}');
                        if (!close) {
                                sb_puts(&out, p);
                                break;
                        }
                        const char *v = env_get(env, nenv, p + 2, (size_t)(close - p - 2));
                        if (v && strlen(v) > *budget - out.len) {
                                sb_free(&out);
                                return NULL;
                        }
                        if (v)
                                sb_puts(&out, v);
                        p = close;
                } else {
                        sb_putc(&out, *p);
                }
        }
        if (out.len > *budget) {
                sb_free(&out);
                return NULL;
        }
        *budget -= out.len;
        return sb_steal(&out);
}

static int expand_exec(const char *line, char **env, size_t nenv, char ***ret_argv, size_t *ret_argc)
{
        while (*line && strchr("@-:+!", *line))
                line++;
        char **words;
        size_t nw;
        int r = sd_split_words(line, &words, &nw);
        if (r < 0)
                return r;
        char **argv = NULL;
        size_t argc = 0, budget = EXEC_EXPANDED_CAP;
        for (size_t i = 0; i < nw; i++) {
                const char *w = words[i];
                if (w[0] == '$' && w[1] != '{' && w[1] != '$' && valid_env_name(w + 1, strlen(w + 1))) {
                        const char *v = env_get(env, nenv, w + 1, strlen(w + 1));
                        char **parts;
                        size_t np;
                        if (v && strlen(v) > budget) {
                                r = -EOVERFLOW;
                                break;
                        }
                        if (!v)
                                continue;
                        budget -= strlen(v);
                        /* Past the word cap the command line is refused, never cut: a
                         * flag after the cut would go unseen. */
                        r = sd_split_words(v, &parts, &np);
                        if (r == 0 && argc + np > MAX_WORDS) {
                                strv_free(parts, np);
                                r = -E2BIG;
                        }
                        if (r < 0)
                                break;
                        for (size_t k = 0; k < np; k++)
                                strv_push(&argv, &argc, parts[k]);
                        free(parts);
                        continue;
                }
                char *e = expand_braces(w, env, nenv, &budget);
                if (!e) {
                        r = -EOVERFLOW;
                        break;
                }
                strv_push(&argv, &argc, e);
        }
        strv_free(words, nw);
        if (r < 0) {
                strv_free(argv, argc);
                return r;
        }
        if (!argv)
                argv = xcalloc(1, sizeof(*argv));
        *ret_argv = argv;
        *ret_argc = argc;
        return 0;
}

struct unit_state {
        char *exec; /* last ExecStart= */
        char **env; /* Environment= assignments in order */
        size_t nenv;
        char **env_files; /* EnvironmentFile= entries, '-' kept */
        size_t nenv_files;
        char *working_dir;
        char *error; /* the first line nodeward could not take whole: what it holds too much of */
};

static void unit_error(struct unit_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void unit_error(struct unit_state *st, const char *fmt, ...)
{
        if (st->error)
                return;
        struct strbuf sb = {0};
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(&sb, fmt, ap);
        va_end(ap);
        st->error = sb_steal(&sb);
}

static void unit_apply_line(struct unit_state *st, const char *key, const char *val)
{
        if (strcmp(key, "ExecStart") == 0) {
                free(st->exec);
                st->exec = *val ? xstrdup(val) : NULL;
        } else if (strcmp(key, "Environment") == 0) {
                if (!*val) {
                        strv_clear(&st->env, &st->nenv);
                        return;
                }
                char **w;
                size_t nw;
                if (sd_split_words(val, &w, &nw) < 0) {
                        unit_error(st, "Environment=: more than %d words on one line", MAX_WORDS);
                        return;
                }
                for (size_t i = 0; i < nw; i++) {
                        const char *eq = strchr(w[i], '=');
                        if (!eq || !valid_env_name(w[i], (size_t)(eq - w[i])))
                                continue;
                        if (st->nenv >= MAX_ENV) {
                                unit_error(st, "Environment=: more than %d variables", MAX_ENV);
                                break;
                        }
                        strv_push(&st->env, &st->nenv, w[i]);
                        w[i] = NULL;
                }
                strv_free(w, nw);
        } else if (strcmp(key, "EnvironmentFile") == 0) {
                if (!*val)
                        strv_clear(&st->env_files, &st->nenv_files);
                else if (st->nenv_files >= MAX_ENV_FILES)
                        unit_error(st, "more than %d EnvironmentFile= lines", MAX_ENV_FILES);
                else
                        strv_push(&st->env_files, &st->nenv_files, xstrdup(val));
        } else if (strcmp(key, "WorkingDirectory") == 0) {
                free(st->working_dir);
                st->working_dir = *val ? xstrdup(val[0] == '-' ? val + 1 : val) : NULL;
        }
}

static void unit_parse(struct unit_state *st, char *buf)
{
        bool in_service = false;
        char *p = buf;
        while (*p) {
                char *eol = strchrnul(p, '\n');
                struct strbuf line = {0};
                sb_putn(&line, p, (size_t)(eol - p));
                p = *eol ? eol + 1 : eol;
                while (line.len && (line.buf[line.len - 1] == '\r'))
                        line.buf[--line.len] = '\0';
                /* Continuation: a trailing backslash joins the next line with a space. */
                while (line.len && line.buf[line.len - 1] == '\\' && *p) {
                        line.buf[line.len - 1] = ' ';
                        eol = strchrnul(p, '\n');
                        if (*p != '#' && *p != ';')
                                sb_putn(&line, p, (size_t)(eol - p));
                        p = *eol ? eol + 1 : eol;
                        while (line.len && line.buf[line.len - 1] == '\r')
                                line.buf[--line.len] = '\0';
                }
                char *l = line.buf ? line.buf : "";
                while (*l == ' ' || *l == '\t')
                        l++;
                if (*l == '[') {
                        in_service = str_startswith(l, "[Service]");
                } else if (in_service && *l && *l != '#' && *l != ';') {
                        char *key, *v;
                        if (split_assignment(l, &key, &v))
                                unit_apply_line(st, key, v);
                }
                sb_free(&line);
        }
}

static int read_unit_file(const struct rootfs *root, const char *path, struct unit_state *st, char **ret_err)
{
        char *buf;
        int r = rootfs_read_file(root, path, ROOTFS_READ_CAP, &buf, NULL, NULL);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", path, rootfs_strerror(r));
                return r;
        }
        unit_parse(st, buf);
        free(buf);
        if (st->error) {
                *ret_err = xasprintf("%s: %s", path, st->error);
                return -E2BIG;
        }
        return 0;
}

static bool unit_masked(const struct rootfs *root, const char *path)
{
        char target[4096];
        return rootfs_readlink(root, path, target, sizeof(target)) == 0 && strcmp(target, "/dev/null") == 0;
}

static void collect_dropins(const struct rootfs *root, const char *name, char ***ret, size_t *ret_n)
{
        char **names = NULL, **paths = NULL;
        size_t n = 0;
        for (size_t d = 0; d < ARRAY_SIZE(unit_dirs); d++) {
                _cleanup_free_ char *dir = xasprintf("%s/%s.d", unit_dirs[d], name);
                char **ents;
                size_t ne;
                if (rootfs_list_dir(root, dir, SDUNIT_MAX_DROPINS, &ents, &ne) < 0)
                        continue;
                for (size_t i = 0; i < ne; i++) {
                        bool seen = false;
                        for (size_t k = 0; k < n; k++)
                                seen |= strcmp(names[k], ents[i]) == 0;
                        if (seen || !str_endswith(ents[i], ".conf") || n >= SDUNIT_MAX_DROPINS)
                                continue;
                        names = xrealloc(names, (n + 1) * sizeof(*names));
                        paths = xrealloc(paths, (n + 1) * sizeof(*paths));
                        names[n] = xstrdup(ents[i]);
                        paths[n] = xasprintf("%s/%s", dir, ents[i]);
                        n++;
                }
                strv_free(ents, ne);
        }
        /* Applied in file-name order, whatever directory each came from. */
        for (size_t i = 1; i < n; i++)
                for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
                        char *t = names[k];
                        names[k] = names[k - 1];
                        names[k - 1] = t;
                        t = paths[k];
                        paths[k] = paths[k - 1];
                        paths[k - 1] = t;
                }
        strv_free(names, n);
        *ret = paths;
        *ret_n = n;
}

int sdunit_load(const struct rootfs *root, const char *name, struct sdunit *ret, char **ret_err)
{
        struct sdunit u = {0};
        struct unit_state st = {0};
        int r = -ENOENT;
        for (size_t d = 0; d < ARRAY_SIZE(unit_dirs); d++) {
                char *path = xasprintf("%s/%s", unit_dirs[d], name);
                struct stat sb;
                if (unit_masked(root, path)) {
                        free(path);
                        return -ENOENT;
                }
                if (rootfs_stat(root, path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                        u.path = path;
                        break;
                }
                free(path);
        }
        if (!u.path)
                return -ENOENT;
        r = read_unit_file(root, u.path, &st, ret_err);
        collect_dropins(root, name, &u.dropins, &u.n_dropins);
        for (size_t i = 0; r == 0 && i < u.n_dropins; i++)
                r = read_unit_file(root, u.dropins[i], &st, ret_err);
        if (r == 0 && !st.exec) {
                *ret_err = xasprintf("%s: no ExecStart=", u.path);
                r = -ENOEXEC;
        }
        if (r == 0) {
                /* EnvironmentFile= values override Environment= ones, in file order. */
                for (size_t i = 0; i < st.nenv_files; i++) {
                        const char *f = st.env_files[i];
                        bool optional = f[0] == '-';
                        char *buf;
                        int e = rootfs_read_file(root, optional ? f + 1 : f, ROOTFS_READ_CAP, &buf, NULL, NULL);
                        if (e == 0) {
                                e = sd_parse_env_file(buf, &st.env, &st.nenv);
                                free(buf);
                                if (e < 0) {
                                        *ret_err = xasprintf("%s: EnvironmentFile=%s: more than %d variables with "
                                                             "the unit's own",
                                                             u.path, f, MAX_ENV);
                                        r = e;
                                        break;
                                }
                                strv_push(&u.env_files, &u.n_env_files, xstrdup(optional ? f + 1 : f));
                        } else if (optional && e == -ENOENT) {
                                strv_push(&u.env_files_missing, &u.n_env_files_missing, xstrdup(f + 1));
                        } else {
                                *ret_err = xasprintf("%s: EnvironmentFile=%s: %s", u.path, f, rootfs_strerror(e));
                                r = e;
                                break;
                        }
                }
        }
        if (r == 0) {
                r = expand_exec(st.exec, st.env, st.nenv, &u.argv, &u.argc);
                if (r < 0)
                        *ret_err = r == -EOVERFLOW
                                           ? xasprintf("%s: ExecStart=: its variables expand past %u bytes, more "
                                                       "than Linux starts a command with",
                                                       u.path, EXEC_EXPANDED_CAP)
                                   : r == -E2BIG ? xasprintf("%s: ExecStart=: more than %d words with its variables",
                                                             u.path, MAX_WORDS)
                                                 : xasprintf("%s: ExecStart=: %s", u.path, rootfs_strerror(r));
        }
        /* The unit exists: a file it needs that is missing (a required EnvironmentFile=,
         * a drop-in gone since it was listed) means systemd would not start it, never
         * that there is no unit, which is what -ENOENT tells the callers. */
        if (r == -ENOENT)
                r = -ENOEXEC;
        u.working_dir = st.working_dir;
        st.working_dir = NULL;
        free(st.exec);
        free(st.error);
        strv_free(st.env, st.nenv);
        strv_free(st.env_files, st.nenv_files);
        if (r < 0) {
                sdunit_free(&u);
                return r;
        }
        *ret = u;
        return 0;
}

int sdunit_exec_from_text(const char *unit_text, const char *env_text, char ***ret_argv, size_t *ret_argc)
{
        struct unit_state st = {0};
        char *buf = xstrdup(unit_text);
        unit_parse(&st, buf);
        free(buf);
        int r = st.error ? -E2BIG : 0;
        if (r == 0 && env_text)
                r = sd_parse_env_file(env_text, &st.env, &st.nenv);
        if (r == 0)
                r = st.exec ? expand_exec(st.exec, st.env, st.nenv, ret_argv, ret_argc) : -ENOEXEC;
        free(st.exec);
        free(st.error);
        free(st.working_dir);
        strv_free(st.env, st.nenv);
        strv_free(st.env_files, st.nenv_files);
        return r;
}

void sdunit_free(struct sdunit *u)
{
        if (!u)
                return;
        free(u->path);
        strv_free(u->dropins, u->n_dropins);
        strv_free(u->argv, u->argc);
        strv_free(u->env_files, u->n_env_files);
        strv_free(u->env_files_missing, u->n_env_files_missing);
        free(u->working_dir);
        memset(u, 0, sizeof(*u));
}
