/* redact: the one place that decides which parts of host values are secrets and blanks them before output. */
#define _GNU_SOURCE
#include "base/redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "base/util.h"

static bool ends_with_ci(const char *s, size_t n, const char *suffix)
{
        size_t k = strlen(suffix);
        return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static bool name_is_secret_n(const char *name, size_t n)
{
        static const char *const words[] = {"token", "password", "passwd", "secret", "key", "credential"};
        static const char *const exempt[] = {"file", "files", "path", "dir", "config"};
        for (size_t i = 0; i < ARRAY_SIZE(exempt); i++)
                if (ends_with_ci(name, n, exempt[i]))
                        return false;
        for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
                size_t k = strlen(words[i]);
                for (size_t j = 0; j + k <= n; j++)
                        if (strncasecmp(name + j, words[i], k) == 0)
                                return true;
        }
        return false;
}

bool redact_name_is_secret(const char *name)
{
        return name && name_is_secret_n(name, strlen(name));
}

static bool scheme_char(char c)
{
        return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

/* Where a URL ends inside free text: at white space, a quote or an angle bracket. */
static size_t url_span(const char *s)
{
        return strcspn(s, " \t\r\n\"'<>");
}

/* Write the part of one URL after "://" (@a, @n bytes) with secrets blanked. */
static void put_url_rest(struct strbuf *sb, const char *a, size_t n)
{
        /* The query or fragment start ends the part that may hold userinfo; the
         * last '@' before it is taken, so a '/' inside a password leaks nothing. */
        size_t q = 0;
        while (q < n && a[q] != '?' && a[q] != '#')
                q++;
        const char *at = memrchr(a, '@', q);
        if (at) {
                sb_puts(sb, REDACTED "@");
                q -= (size_t)(at + 1 - a);
                n -= (size_t)(at + 1 - a);
                a = at + 1;
        }
        sb_putn(sb, a, q);
        if (q < n) {
                sb_putc(sb, a[q]);
                sb_puts(sb, REDACTED);
        }
}

static bool name_char(char c)
{
        return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Where a value after "NAME=" ends inside free text. */
static size_t value_span(const char *s)
{
        if (*s == '"' || *s == '\'')
                return 0; /* a quoted value: the quote is kept, its content judged by the caller */
        return strcspn(s, " \t\r\n,;)]}\"'");
}

static bool is_number(const char *v, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isdigit((unsigned char)v[i]))
                        return false;
        return true;
}

static bool is_bool_n(const char *v, size_t n)
{
        return (n == 4 && strncasecmp(v, "true", 4) == 0) || (n == 5 && strncasecmp(v, "false", 5) == 0);
}

/* HTTP headers that carry credentials whatever their value looks like. */
static bool header_is_secret(const char *name, size_t n)
{
        static const char *const h[] = {"authorization", "proxy-authorization", "cookie", "set-cookie"};
        for (size_t i = 0; i < ARRAY_SIZE(h); i++)
                if (strlen(h[i]) == n && strncasecmp(name, h[i], n) == 0)
                        return true;
        return false;
}

/* The second pass of redact_text(): "NAME=VALUE", "NAME: VALUE" and
 * "\"NAME\":\"VALUE\"" with a secret NAME lose VALUE (booleans and plain
 * numbers are kept: kernel.keys.root_maxkeys=1000000 is a limit), and a
 * credential header ("Authorization: Bearer ...") loses the rest up to the next
 * quote, comma, semicolon or line end. One pass, linear. */
static char *redact_assignments(const char *s)
{
        struct strbuf sb = {0};
        const char *p = s, *copied = s;
        for (; *p; p++) {
                if (*p != '=' && *p != ':')
                        continue;
                const char *e = p; /* the name ends here, perhaps after a quote */
                if (e > s && e[-1] == '"')
                        e--;
                const char *b = e;
                while (b > copied && name_char(b[-1]))
                        b--;
                size_t n = (size_t)(e - b);
                if (n == 0)
                        continue;
                const char *v = p + 1;
                bool header = *p == ':' && header_is_secret(b, n);
                if (*p == ':' && !header && *v != ' ' && *v != '"')
                        continue; /* "host:port", "a:b" */
                while (*p == ':' && *v == ' ')
                        v++;
                if (!header && !name_is_secret_n(b, n))
                        continue;
                bool quoted = *v == '"';
                if (quoted)
                        v++;
                size_t vn = header ? strcspn(v, "\"\r\n,;") : quoted ? strcspn(v, "\"") : value_span(v);
                if (vn == 0 || is_bool_n(v, vn) || (!header && is_number(v, vn)) ||
                    (vn == strlen(REDACTED) && strncmp(v, REDACTED, vn) == 0))
                        continue;
                sb_putn(&sb, copied, (size_t)(v - copied));
                sb_puts(&sb, REDACTED);
                copied = v + vn;
                p = copied - 1;
        }
        sb_puts(&sb, copied);
        return sb_steal(&sb);
}

static char *redact_urls(const char *s)
{
        struct strbuf sb = {0};
        const char *p = s, *m;
        while ((m = strstr(p, "://"))) {
                const char *scheme = m;
                while (scheme > p && scheme_char(scheme[-1]))
                        scheme--;
                sb_putn(&sb, p, (size_t)(m + 3 - p));
                if (scheme == m) { /* no scheme: not a URL */
                        p = m + 3;
                        continue;
                }
                size_t n = url_span(m + 3);
                put_url_rest(&sb, m + 3, n);
                p = m + 3 + n;
        }
        sb_puts(&sb, p);
        return sb_steal(&sb);
}

char *redact_text(const char *s)
{
        char *u = redact_urls(s);
        char *r = redact_assignments(u);
        free(u);
        return r;
}

/* The name of "--NAME=..." or "--NAME" (dashes dropped), @ret_n long; NULL if @arg is no flag. */
static const char *flag_name(const char *arg, size_t *ret_n)
{
        if (arg[0] != '-')
                return NULL;
        const char *name = arg + strspn(arg, "-");
        *ret_n = strcspn(name, "=");
        return *ret_n ? name : NULL;
}

/* A boolean says whether a feature is on (--authentication-token-webhook=true), never a secret. */
static bool is_bool(const char *v)
{
        return strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0;
}

/* Header values (--manifest-url-header=Authorization:Bearer ...) are credentials as often as not. */
static bool value_is_secret(const char *name, size_t n)
{
        if (name_is_secret_n(name, n))
                return true;
        for (size_t j = 0; j + 6 <= n; j++)
                if (strncasecmp(name + j, "header", 6) == 0)
                        return true;
        return false;
}

char *redact_arg(const char *arg)
{
        size_t n;
        const char *name = flag_name(arg, &n);
        if (name && name[n] == '=' && value_is_secret(name, n) && !is_bool(name + n + 1))
                return xasprintf("%.*s=" REDACTED, (int)(name + n - arg), arg);
        return redact_text(arg);
}

char **redact_argv(char *const *argv, size_t n)
{
        char **out = xcalloc(n ? n : 1, sizeof(*out));
        for (size_t i = 0; i < n; i++) {
                out[i] = redact_arg(argv[i]);
                size_t k;
                const char *name = flag_name(argv[i], &k);
                if (name && !name[k] && value_is_secret(name, k) && i + 1 < n && argv[i + 1][0] != '-' &&
                    !is_bool(argv[i + 1]))
                        out[++i] = xstrdup(REDACTED);
        }
        return out;
}

/* Give a string or number node a new string value, keeping its place and key;
 * cJSON_SetValuestring cannot turn a number into a string. */
static void set_string(cJSON *v, char *owned)
{
        if (!(v->type & (cJSON_IsReference | cJSON_StringIsConst)))
                free(v->valuestring);
        v->type = cJSON_String;
        v->valuestring = owned;
        v->valueint = 0;
        v->valuedouble = 0;
}

static void blank_leaves(cJSON *v)
{
        if (cJSON_IsString(v) || cJSON_IsNumber(v)) {
                set_string(v, xstrdup(REDACTED));
                return;
        }
        cJSON *c;
        cJSON_ArrayForEach(c, v) blank_leaves(c);
}

static void redact_string_node(cJSON *v)
{
        char *r = redact_text(v->valuestring);
        if (strcmp(r, v->valuestring) != 0)
                set_string(v, r);
        else
                free(r);
}

static bool name_has_header(const char *name)
{
        return name && strcasestr(name, "header");
}

void redact_json(const char *name, cJSON *v)
{
        if (!v)
                return;
        if (redact_name_is_secret(name) || name_has_header(name)) {
                blank_leaves(v);
                return;
        }
        if (cJSON_IsString(v) && v->valuestring) {
                redact_string_node(v);
                return;
        }
        cJSON *c;
        cJSON_ArrayForEach(c, v) redact_json(cJSON_IsObject(v) ? c->string : name, c);
}

void redact_json_text(cJSON *v)
{
        if (!v)
                return;
        if (cJSON_IsString(v) && v->valuestring) {
                redact_string_node(v);
                return;
        }
        cJSON *c;
        cJSON_ArrayForEach(c, v) redact_json_text(c);
}
